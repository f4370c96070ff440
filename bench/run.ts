// `npm run bench`: the gateway's numbers, each HTTP figure as a ratio to a static-bytes route on the
// same server in the same run. Starts its own Redis, OpenID Provider, loopback upstreams and gateway
// processes; writes BENCHMARKS.md. `BENCH_QUICK=1` runs a short smoke version.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { CatalogWriter } from '../src/catalog/CatalogWriter.js';
import { Keys } from '../src/catalog/keys.js';
import { parseConfig } from '../src/config/loader.js';
import type { UpstreamRegistryConfig } from '../src/config/schema.js';
import { createLogger } from '../src/observability/logger.js';
import { SyncStatusStore } from '../src/sync/SyncStatusStore.js';
import { UpstreamSync } from '../src/sync/UpstreamSync.js';
import { startOidcProvider } from '../devServices/oidc-provider.mjs';
import { freePort, startRedisServer } from '../devServices/redis.mjs';
import { measure, type LoadResult } from './http.js';
import { incrementalRuns } from './incremental.js';
import { median, rssOf, startBaseline, startGateway, startUpstream, stopChild, type BaselineProcess, type UpstreamProcess } from './processes.js';
import { redisMemory } from './redisMemory.js';
import { writeReport, type Report, type Scenario } from './report.js';

const QUICK = process.env.BENCH_QUICK === '1';
const NAMES = Number(process.env.BENCH_NAMES ?? (QUICK ? 3000 : 20000));
const SECONDS = QUICK ? 2 : 6;
const RUNS = QUICK ? 1 : 3;
const CONNECTIONS = 32;
const AUDIENCE = 'https://mcp-gateway.bench/';
const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);

async function waitFor<T>(fn: () => Promise<T | undefined>, what: string, timeoutMs = 600_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function token(issuer: string): Promise<string> {
  const res = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { Authorization: `Basic ${Buffer.from('bench:bench-secret').toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: AUDIENCE }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

async function etagOf(url: string, headers: Record<string, string>): Promise<string> {
  const res = await fetch(url, { headers });
  await res.arrayBuffer();
  const etag = res.headers.get('etag');
  if (!etag) throw new Error(`no ETag on ${url}`);
  return etag;
}

async function scenario(label: string, upstreams: number, redisUrl: string, issuer: string, baselines: { floor: BaselineProcess; limit: BaselineProcess }): Promise<Scenario> {
  const redis = new Redis(redisUrl);
  await redis.flushall();
  const baseMemory = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
  const prefix = `bench-${upstreams}`;
  log(`${label}: starting ${upstreams} upstream(s) of ${NAMES} names`);
  const ups = await Promise.all(Array.from({ length: upstreams }, (_, k) => startUpstream(NAMES, (k * NAMES) / 2)));
  const dir = mkdtempSync(path.join(tmpdir(), 'mcpgw-bench-'));
  const port = await freePort();
  const raw = {
    server: { port, host: '127.0.0.1' },
    redis: { url: redisUrl, prefix },
    registries: ups.map((u, k) => ({
      name: `up${k}`,
      type: 'upstream',
      url: u.url,
      sync: { pageSize: 100, maxRequestsPerSecond: 1000, timeout: '60s', interval: '24h', fullInterval: '7d', safetyMargin: '1ms' },
    })),
    auth: { mode: 'oidc', oidc: { issuer, audience: AUDIENCE } },
    access: { rules: [{ groups: ['engineering'], registries: ['*'], servers: ['*'], exclude: ['io.bench.ns1*'] }] },
    worker: { concurrency: 2 },
    logging: { level: 'warn' },
  };
  const configFile = path.join(dir, 'gateway.yaml');
  writeFileSync(configFile, JSON.stringify(raw));
  const config = parseConfig(raw, configFile, {});
  const keys = new Keys(prefix);
  const statuses = new SyncStatusStore(redis, keys);
  const names = config.registries.map((r) => r.name);

  log(`${label}: full sync by a worker process`);
  const t0 = performance.now();
  const worker = startGateway(['serve', '--role', 'worker', '--config', configFile]);
  const done = await waitFor(async () => {
    const all = await statuses.statuses(names);
    if ([...all.values()].some((s) => s.phase === 'failed')) throw new Error(`sync failed: ${JSON.stringify([...all.values()].map((s) => s.message))}`);
    return [...all.values()].every((s) => s.phase === 'complete' && s.lastRunMode === 'full') ? all : undefined;
  }, 'full sync');
  const fullWall = (performance.now() - t0) / 1000;
  const workerRss = rssOf(worker.pid as number);
  await stopChild(worker);
  const versions = [...done.values()].reduce((n, s) => n + s.versionCount, 0);
  const perUpstream = [...done.values()].map((s) => ({ seconds: (s.durationMs as number) / 1000, versions: 0 }));
  ups.forEach((u, k) => ((perUpstream[k] as { versions: number }).versions = u.versions));
  const memory = await redisMemory(redis, prefix, baseMemory, versions);
  const usedMemory = memory.usedBytes;

  log(`${label}: incremental syncs of 100 changes`);
  const writer = CatalogWriter.forConfig(redis, keys, config.catalog);
  const sync0 = new UpstreamSync(config.registries[0] as UpstreamRegistryConfig, { redis, writer, status: statuses, logger: createLogger({ silent: true }) });
  const incrementalMs = median(await incrementalRuns(sync0, ups[0] as UpstreamProcess, QUICK ? 1 : 9));
  for (const u of ups) u.stop();

  log(`${label}: API under load (${CONNECTIONS} connections, ${SECONDS}s x ${RUNS})`);
  const api = startGateway(['serve', '--role', 'api', '--config', configFile]);
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => ((await fetch(`${base}/readyz`)).ok ? true : undefined), 'API ready');
  const headers = { Authorization: `Bearer ${await token(issuer)}` };
  const cursors: string[] = [];
  const allNames: string[] = [];
  let cursor: string | undefined;
  let listBytes = 0;
  // Page the whole catalogue once: cursors and names across all of it, for the whole-catalogue rows.
  for (;;) {
    const res = await fetch(`${base}/v0.1/servers?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { headers });
    const body = (await res.json()) as { servers: Array<{ server: { name: string } }>; metadata: { nextCursor?: string } };
    for (const s of body.servers) if (allNames[allNames.length - 1] !== s.server.name) allNames.push(s.server.name);
    cursor = body.metadata.nextCursor;
    if (!cursor) break;
    cursors.push(cursor);
  }
  for (const c of cursors.slice(0, 20)) listBytes += (await (await fetch(`${base}/v0.1/servers?limit=30&cursor=${encodeURIComponent(c)}`, { headers })).arrayBuffer()).byteLength;
  listBytes = Math.round(listBytes / Math.min(20, cursors.length));
  const enc = allNames.map((n) => encodeURIComponent(n));
  // The hot set: the first 50 cursors and every 10th name of the first 2,000 (as in earlier rounds).
  const hotNames = enc.slice(0, 2000).filter((_, i) => i % 10 === 0);
  const detailBytes = (await (await fetch(`${base}/v0.1/servers/${enc[0]}/versions/latest`, { headers })).arrayBuffer()).byteLength;
  const versionsBytes = (await (await fetch(`${base}/v0.1/servers/${enc[0]}/versions`, { headers })).arrayBuffer()).byteLength;
  const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)] as T;
  const opts = { connections: CONNECTIONS, seconds: SECONDS, runs: RUNS, headers };
  const http: Scenario['http'] = {};
  const listPath = (c: string) => `/v0.1/servers?limit=30&cursor=${encodeURIComponent(c)}`;
  const routes: Array<[string, string[], number, string[]]> = [
    ['list ?limit=30 (random cursor)', cursors.slice(0, 50).map(listPath), listBytes, cursors.map(listPath)],
    ['detail /versions/latest', hotNames.map((n) => `/v0.1/servers/${n}/versions/latest`), detailBytes, enc.map((n) => `/v0.1/servers/${n}/versions/latest`)],
    ['/versions', hotNames.map((n) => `/v0.1/servers/${n}/versions`), versionsBytes, enc.map((n) => `/v0.1/servers/${n}/versions`)],
  ];
  let rssUnderLoad = 0;
  const sampler = setInterval(() => (rssUnderLoad = Math.max(rssUnderLoad, rssOf(api.pid as number).rssMiB)), 250);
  for (const [route, paths, bytes, everywhere] of routes) {
    const tags = new Map<string, string>();
    for (const p of paths) tags.set(p, await etagOf(base + p, headers));
    const limit = await measure(baselines.limit.url, () => `/bytes?n=${bytes}`, opts);
    const floor = await measure(baselines.floor.url, () => `/bytes?n=${bytes}`, opts);
    const result = await measure(base, () => pick(paths), opts);
    const notModified = await measure(
      base,
      () => {
        const p = pick(paths);
        return { path: p, headers: { 'if-none-match': tags.get(p) as string } };
      },
      { ...opts, expect: 304 },
    );
    const whole = await measure(base, () => pick(everywhere), opts);
    http[route] = { result, notModified, floor, limit, bytes, whole, wholeSize: everywhere.length, hotSize: paths.length };
    log(`${label}: ${route}: ${Math.round(result.rps)} req/s hot, ${Math.round(whole.rps)} whole catalogue (304: ${Math.round(notModified.rps)}) vs express ${Math.round(floor.rps)}, node:http ${Math.round(limit.rps)} (p99 ${result.p99}/${whole.p99} vs ${floor.p99} ms)`);
  }
  clearInterval(sampler);
  const apiRss = rssOf(api.pid as number);
  await stopChild(api);
  redis.disconnect();
  return { label, upstreams, versions, fullWall, perUpstream, workerPeakMiB: workerRss.peakMiB, incrementalMs, usedMemoryBytes: usedMemory, redisBytesByKey: memory.byKey, apiRssMiB: Math.max(rssUnderLoad, apiRss.rssMiB), apiPeakMiB: apiRss.peakMiB, http };
}

async function incrementalAtSmallSize(redisUrl: string): Promise<{ versions: number; ms: number }> {
  const redis = new Redis(redisUrl);
  await redis.flushall();
  const up = await startUpstream(Math.round(10_000 / 3.3));
  const raw = { registries: [{ name: 'small', type: 'upstream', url: up.url, sync: { pageSize: 100, maxRequestsPerSecond: 1000, safetyMargin: '1ms' } }] };
  const config = parseConfig(raw, '/bench.yaml', {});
  const keys = new Keys('bench-small');
  const sync = new UpstreamSync(config.registries[0] as UpstreamRegistryConfig, { redis, writer: CatalogWriter.forConfig(redis, keys, config.catalog), status: new SyncStatusStore(redis, keys), logger: createLogger({ silent: true }) });
  await sync.run({ full: true });
  const ms = median(await incrementalRuns(sync, up, QUICK ? 1 : 9));
  up.stop();
  redis.disconnect();
  return { versions: up.versions, ms };
}

async function main() {
  const redis = await startRedisServer();
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const idpPort = await freePort();
  const idp = await startOidcProvider({
    port: idpPort,
    clients: [{ id: 'bench', secret: 'bench-secret', groups: ['engineering'] }],
    keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'bench', alg: 'RS256', use: 'sig' }],
    audience: AUDIENCE,
    opaqueAudience: `${AUDIENCE}opaque`,
    introspection: { clientId: 'gateway', secret: 'unused' },
  });
  try {
    const redisVersion = /redis_version:(\S+)/.exec(await new Redis(redis.url).info('server').then((s) => s))?.[1] ?? '?';
    const small = await incrementalAtSmallSize(redis.url);
    log(`incremental at ${small.versions} versions: ${small.ms.toFixed(1)} ms`);
    const baselines = { floor: await startBaseline('express'), limit: await startBaseline('node') };
    const one = await scenario('1 upstream', 1, redis.url, idp.issuer, baselines);
    const five = await scenario('5 overlapping upstreams', 5, redis.url, idp.issuer, baselines);
    for (const b of Object.values(baselines)) b.child.kill();
    const report: Report = {
      date: new Date().toISOString(),
      machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? '?', node: process.version, redis: redisVersion },
      quick: QUICK,
      names: NAMES,
      connections: CONNECTIONS,
      seconds: SECONDS,
      runs: RUNS,
      small,
      scenarios: [one, five],
    };
    writeReport(report, QUICK ? path.join(tmpdir(), 'BENCHMARKS.quick.md') : path.resolve('BENCHMARKS.md'));
  } finally {
    await idp.stop();
    await redis.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
