// `npm run bench:fleet`: what one process of each role costs in a fleet (README "Operations"):
// one worker and two API replicas (`serve --role ...`) on one Redis, synced from a loopback upstream
// of BENCH_NAMES names (default 20,000 = 66,000 versions). Prints RSS per replica idle after the
// index load and after a short read load, the worker's peak, and Redis bytes per stored version.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort, startRedisServer } from '../devServices/redis.mjs';
import { tempDir } from '../test/helpers/gateway.js';
import { rssOf, startGateway, startUpstream, stopChild } from './processes.js';

const NAMES = Number(process.env.BENCH_NAMES ?? 20_000);
const log = (m: string) => process.stdout.write(`${m}\n`);

async function until(fn: () => Promise<boolean>, what: string, timeoutMs = 600_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const redis = await startRedisServer();
const upstream = await startUpstream(NAMES);
const dir = tempDir();
const config = path.join(dir, 'gateway.yaml');
const [port1, port2] = [await freePort(), await freePort()];
writeFileSync(
  config,
  JSON.stringify({
    redis: { url: redis.url, prefix: 'fleetrss' },
    server: { host: '127.0.0.1' },
    registries: [{ name: 'up', type: 'upstream', url: upstream.url, sync: { pageSize: 100, maxRequestsPerSecond: 1000, interval: '1h' } }],
  }),
);
const client = new Redis(redis.url);
try {
  const baseline = Number(/used_memory:(\d+)/.exec(await client.info('memory'))?.[1]);
  const worker = startGateway(['serve', '--role', 'worker', '--config', config]);
  await until(async () => JSON.parse((await client.hget('{fleetrss}:status', 'up')) ?? '{}').phase === 'complete', 'the first full sync');
  const workerRss = rssOf(worker.pid as number);
  const used = Number(/used_memory:(\d+)/.exec(await client.info('memory'))?.[1]);
  const apis = [port1, port2].map((p) => ({ port: p, child: startGateway(['serve', '--role', 'api', '--config', config], { PORT: String(p) }) }));
  for (const a of apis) await until(async () => (await fetch(`http://127.0.0.1:${a.port}/readyz`)).status === 200, 'API ready');
  const idle = apis.map((a) => rssOf(a.child.pid as number));
  // A short read load on both replicas: list pages and details.
  const end = Date.now() + 10_000;
  await Promise.all(
    Array.from({ length: 16 }, async (_, i) => {
      let n = i;
      while (Date.now() < end) {
        const a = apis[n % 2] as (typeof apis)[number];
        const url = n % 3 === 0 ? `/v0.1/servers?limit=100` : `/v0.1/servers/io.bench.ns${n % 997}%2Fserver-${n % NAMES}/versions/latest`;
        await (await fetch(`http://127.0.0.1:${a.port}${url}`)).arrayBuffer();
        n += 7;
      }
    }),
  );
  const loaded = apis.map((a) => rssOf(a.child.pid as number));
  log(`versions: ${upstream.versions}`);
  log(`worker RSS after the full sync: ${workerRss.rssMiB.toFixed(0)} MiB (peak ${workerRss.peakMiB.toFixed(0)} MiB)`);
  idle.forEach((r, i) => log(`API replica ${i + 1} RSS idle after load: ${r.rssMiB.toFixed(0)} MiB (peak ${r.peakMiB.toFixed(0)} MiB)`));
  loaded.forEach((r, i) => log(`API replica ${i + 1} RSS after 10 s of reads: ${r.rssMiB.toFixed(0)} MiB (peak ${r.peakMiB.toFixed(0)} MiB)`));
  log(`Redis used_memory: ${((used - baseline) / 1048576).toFixed(0)} MiB, ${Math.round((used - baseline) / upstream.versions)} bytes per version`);
  for (const a of apis) await stopChild(a.child);
  await stopChild(worker);
} finally {
  client.disconnect();
  upstream.stop();
  await redis.stop();
}
