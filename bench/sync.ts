// Sync benchmark: full-sync throughput and peak RSS of the syncing process for a generated upstream,
// then the time of an incremental run that picks up 100 changes. Usage:
//   node --import tsx bench/sync.ts [names=20000]
import { fork, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { CatalogStore } from '../src/catalog/CatalogStore.js';
import { Keys } from '../src/catalog/keys.js';
import { parseConfig } from '../src/config/loader.js';
import type { UpstreamRegistryConfig } from '../src/config/schema.js';
import { createLogger } from '../src/observability/logger.js';
import { SyncStatusStore } from '../src/sync/SyncStatusStore.js';
import { UpstreamSync } from '../src/sync/UpstreamSync.js';
import { startRedisServer } from '../scripts/redis.mjs';

interface Ready {
  type: 'ready';
  port: number;
  versions: number;
}

function startUpstream(names: number): Promise<{ child: ChildProcess; url: string; versions: number }> {
  const child = fork(new URL('./upstreamProcess.ts', import.meta.url), [String(names)], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.on('message', (m: Ready) => {
      if (m.type === 'ready') resolve({ child, url: `http://127.0.0.1:${m.port}`, versions: m.versions });
    });
  });
}

function mutate(child: ChildProcess, count: number): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (m: { type: string }) => {
      if (m.type === 'mutated') {
        child.off('message', onMessage);
        resolve();
      }
    };
    child.on('message', onMessage);
    child.send({ type: 'mutate', count });
  });
}

/** Runs full + incremental syncs of one generated upstream and reports the figures. */
export async function benchSync(redisUrl: string, names: number, prefix: string) {
  const upstream = await startUpstream(names);
  const redis = new Redis(redisUrl);
  const keys = new Keys(prefix);
  const config = parseConfig(
    { registries: [{ name: 'up', type: 'upstream', url: upstream.url, sync: { pageSize: 100, maxRequestsPerSecond: 1000, timeout: '60s', safetyMargin: '1ms' } }] },
    '/bench.yaml',
    {},
  );
  const sync = new UpstreamSync(config.registries[0] as UpstreamRegistryConfig, {
    redis,
    store: new CatalogStore(redis, keys),
    status: new SyncStatusStore(redis, keys),
    logger: createLogger({ silent: true }),
  });
  global.gc?.();
  const baseRss = process.memoryUsage().rss;
  let peak = baseRss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  const t0 = performance.now();
  const full = await sync.run({ full: true });
  const fullMs = performance.now() - t0;
  clearInterval(sampler);
  if (full?.phase !== 'complete') throw new Error(`full sync failed: ${full?.message}`);

  await new Promise((r) => setTimeout(r, 5));
  await mutate(upstream.child, 100);
  const t1 = performance.now();
  const inc = await sync.run();
  const incMs = performance.now() - t1;
  if (inc?.phase !== 'complete' || inc.lastRunMode !== 'incremental') throw new Error(`incremental sync failed: ${inc?.message}`);

  upstream.child.disconnect();
  redis.disconnect();
  return {
    names,
    versions: upstream.versions,
    fullMs,
    versionsPerSecond: upstream.versions / (fullMs / 1000),
    peakRssMiB: peak / 2 ** 20,
    rssGrowthMiB: (peak - baseRss) / 2 ** 20,
    incrementalMs: incMs,
    incrementalEntries: inc.entriesSeen,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const names = Number(process.argv[2] ?? 20000);
  const server = await startRedisServer();
  try {
    const r = await benchSync(server.url, names, `bench${Date.now()}`);
    console.log(JSON.stringify(r, null, 2));
  } finally {
    await server.stop();
  }
}
