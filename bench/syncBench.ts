// `npm run bench:sync`: the write path alone, in ~1-2 minutes. Starts Redis and loopback upstreams
// (own processes), runs full syncs in this process (1 upstream, then 5 overlapping ones, two at a
// time like a worker with concurrency 2), incremental syncs of 100 changes at ~10k and at the big
// corpus, and reports Redis memory per stored version with a per-key breakdown.
// `BENCH_NAMES` (default 20000) sets names per upstream; run with `node --cpu-prof` to profile.
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { CatalogWriter } from '../src/catalog/CatalogWriter.js';
import { Keys } from '../src/catalog/keys.js';
import { parseConfig } from '../src/config/loader.js';
import type { UpstreamRegistryConfig } from '../src/config/schema.js';
import { createLogger } from '../src/observability/logger.js';
import { SyncStatusStore } from '../src/sync/SyncStatusStore.js';
import { UpstreamSync } from '../src/sync/UpstreamSync.js';
import { startRedisServer } from '../devServices/redis.mjs';
import { median, startUpstream, type UpstreamProcess } from './processes.js';
import { incrementalRuns } from './incremental.js';
import { redisMemory } from './redisMemory.js';

const NAMES = Number(process.env.BENCH_NAMES ?? 20000);
const RUNS = Number(process.env.BENCH_INCREMENTAL_RUNS ?? 9);
const UPSTREAMS = (process.env.BENCH_UPSTREAMS ?? '1,5').split(',').map(Number);
const log = (m: string) => process.stderr.write(`[sync-bench] ${m}\n`);

/** Syncs of `ups` into a fresh prefix: one UpstreamSync per upstream, sharing one writer. */
function syncsFor(redis: Redis, prefix: string, ups: readonly UpstreamProcess[]): UpstreamSync[] {
  const raw = {
    registries: ups.map((u, k) => ({
      name: `up${k}`,
      type: 'upstream',
      url: u.url,
      sync: { pageSize: 100, maxRequestsPerSecond: 1000, timeout: '60s', safetyMargin: '1ms' },
    })),
  };
  const config = parseConfig(raw, '/sync-bench.yaml', {});
  const keys = new Keys(prefix);
  const writer = CatalogWriter.forConfig(redis, keys, config.catalog);
  const status = new SyncStatusStore(redis, keys);
  const logger = createLogger({ silent: true });
  return config.registries.map((r) => new UpstreamSync(r as UpstreamRegistryConfig, { redis, writer, status, logger }));
}

/** Runs every sync, `concurrency` at a time (a worker's BullMQ concurrency). */
async function fullSyncs(syncs: UpstreamSync[], concurrency: number): Promise<void> {
  const queue = [...syncs];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let s = queue.shift(); s; s = queue.shift()) {
        const status = await s.run({ full: true });
        if (status?.phase !== 'complete') throw new Error(`full sync failed: ${status?.message}`);
      }
    }),
  );
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds Redis has used (INFO cpu). */
async function redisCpu(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  return Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1] ?? 0) + Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1] ?? 0);
}

/** Incremental syncs of 100 changes at ~10k versions (the flatness baseline). */
async function smallIncremental(redis: Redis, rows: string[]): Promise<number[]> {
  await redis.flushall();
  const small = await startUpstream(Math.round(10_000 / 3.3));
  const [sync] = syncsFor(redis, 'small', [small]) as [UpstreamSync];
  await sync.run({ full: true });
  const ms = await incrementalRuns(sync, small, RUNS);
  small.stop();
  rows.push(`incremental, 100 changes at ${small.versions} versions: median ${median(ms).toFixed(1)} ms (${ms.map((m) => m.toFixed(0)).join(' ')})`);
  log(rows.at(-1) as string);
  return ms;
}

async function main() {
  const server = await startRedisServer();
  const redis = new Redis(server.url);
  try {
    const rows: string[] = [];
    const smallMs = RUNS > 0 ? await smallIncremental(redis, rows) : [];
    for (const count of UPSTREAMS) {
      await redis.flushall();
      const base = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
      const ups = await Promise.all(Array.from({ length: count }, (_, k) => startUpstream(NAMES, (k * NAMES) / 2)));
      const versions = ups.reduce((n, u) => n + u.versions, 0);
      const syncs = syncsFor(redis, `b${count}`, ups);
      await redis.config('RESETSTAT');
      const cpu0 = { self: process.cpuUsage(), redis: await redisCpu(redis), ups: ups.map((u) => cpuSeconds(u.child.pid as number)) };
      const t0 = performance.now();
      await fullSyncs(syncs, 2);
      const seconds = (performance.now() - t0) / 1000;
      const self = process.cpuUsage(cpu0.self);
      const cpu = `CPU s: sync ${((self.user + self.system) / 1e6).toFixed(1)}, redis ${((await redisCpu(redis)) - cpu0.redis).toFixed(1)}, upstreams ${ups.reduce((n, u, k) => n + cpuSeconds(u.child.pid as number) - (cpu0.ups[k] as number), 0).toFixed(1)}`;
      rows.push(`full sync, ${count} upstream(s), ${versions} versions: ${seconds.toFixed(1)} s, ${Math.round(versions / seconds)} versions/s, RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB; ${cpu}`);
      log(rows.at(-1) as string);
      const stats = (await redis.info('commandstats')).split('\n').filter((l) => /calls=\d{3,}/.test(l));
      log(`  redis commandstats: ${stats.map((l) => l.trim().replace(/,rejected_calls.*$/, '')).join('\n    ')}`);
      const memory = await redisMemory(redis, `b${count}`, base, versions);
      rows.push(`  Redis: ${memory.summary}`);
      log(rows.at(-1) as string);
      if (count === Math.max(...UPSTREAMS) && RUNS > 0) {
        const big = await incrementalRuns(syncs[0] as UpstreamSync, ups[0] as UpstreamProcess, RUNS);
        rows.push(`incremental, 100 changes at ${versions} versions: median ${median(big).toFixed(1)} ms (${big.map((m) => m.toFixed(0)).join(' ')}); ratio to small ${(median(big) / median(smallMs)).toFixed(2)}`);
        log(rows.at(-1) as string);
      }
      for (const u of ups) u.stop();
    }
    process.stdout.write(`${rows.join('\n')}\n`);
  } finally {
    redis.disconnect();
    await server.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`sync bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
