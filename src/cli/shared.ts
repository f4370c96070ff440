import { Keys } from '../catalog/keys.js';
import { createRedis, waitForRedis } from '../redis/createRedis.js';
import { redisUnreachable } from '../redis/redisOptions.js';
import { loadConfig, resolveConfigPath } from '../config/loader.js';
import type { GatewayConfig } from '../config/schema.js';
import type { SyncStatus } from '../sync/SyncStatusStore.js';

/** Loads the configuration named by `--config` (or GATEWAY_CONFIG). */
export function configFrom(opts: { config?: string }): { config: GatewayConfig; source: string } {
  return loadConfig(resolveConfigPath(opts.config));
}

/** Runs `fn` with a connected Redis client, closed afterwards. */
export async function withRedis<T>(config: GatewayConfig, fn: (keys: Keys, redis: ReturnType<typeof createRedis>) => Promise<T>): Promise<T> {
  const redis = createRedis(config.redis, { use: 'worker', name: 'mcp-registry-gateway:cli' });
  redis.on('error', () => undefined);
  try {
    await waitForRedis(redis, 5000).catch(() => {
      throw redisUnreachable(config.redis);
    });
    return await fn(new Keys(config.redis.prefix), redis);
  } finally {
    redis.disconnect();
  }
}

function ago(iso?: string | null): string {
  if (!iso) return '-';
  const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86400) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}

/** Renders rows as an aligned text table. */
export function table(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ').trimEnd()).join('\n');
}

function inFuture(epochMs?: number): string {
  if (epochMs === undefined) return '-';
  const s = Math.max(0, Math.round((epochMs - Date.now()) / 1000));
  return s < 60 ? `in ${s}s` : s < 3600 ? `in ${Math.round(s / 60)}m` : `in ${Math.round(s / 3600)}h`;
}

/** Rows of the `status` table. */
export function statusRows(config: GatewayConfig, statuses: Map<string, SyncStatus>, nextRuns = new Map<string, number>()): string[][] {
  const rows = [['REGISTRY', 'TYPE', 'PHASE', 'SERVERS', 'VERSIONS', 'LAST SYNC', 'MODE', 'NEXT RUN', 'FAILURES', 'MESSAGE']];
  for (const r of config.registries) {
    const s = statuses.get(r.name);
    rows.push([
      r.name,
      r.type,
      r.type === 'managed' ? '-' : (s?.phase ?? 'pending'),
      String(s?.serverCount ?? 0),
      String(s?.versionCount ?? 0),
      ago(s?.lastSyncTime),
      s?.lastRunMode ?? '-',
      inFuture(nextRuns.get(r.name)),
      String(s?.attemptCount ?? 0),
      (s?.message ?? '').slice(0, 100),
    ]);
  }
  return rows;
}

