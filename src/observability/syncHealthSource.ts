import type { Redis } from 'ioredis';
import type { GatewayConfig } from '../config/schema.js';
import type { SyncStatusStore } from '../sync/SyncStatusStore.js';
import type { RegistryHealth, SyncHealthSource } from './metrics.js';

/**
 * The sync-health gauges' source: the status records the workers write to Redis (the same ones
 * `GET /v0.1/registries` serves), read once per scrape.
 */
export function syncHealthSource(config: GatewayConfig, status: SyncStatusStore, redis: Redis): SyncHealthSource {
  const names = config.registries.map((r) => r.name);
  return {
    async redisUp() {
      return (await redis.ping()) === 'PONG';
    },
    async registries() {
      const statuses = await status.statuses(names);
      return config.registries.map((r): RegistryHealth => {
        const s = statuses.get(r.name);
        const last = s?.lastSyncTime ? Date.parse(s.lastSyncTime) : NaN;
        const health: RegistryHealth = {
          name: r.name,
          type: r.type,
          // Managed registries are written in place, never synced (as the admin route reports).
          phase: r.type === 'managed' ? 'complete' : (s?.phase ?? 'pending'),
          consecutiveFailures: s?.attemptCount ?? 0,
          servers: s?.serverCount ?? 0,
          versions: s?.versionCount ?? 0,
        };
        if (!Number.isNaN(last)) health.lastSuccessMs = last;
        if (r.type === 'upstream') health.intervalSeconds = r.sync.interval / 1000;
        return health;
      });
    },
  };
}
