// CPU profile of the API under load: `node --import tsx bench/profile.ts [route=list|detail] [names=20000] [registries=1]`.
// Loads a generated corpus straight into Redis, starts the API with --cpu-prof, loads it with
// autocannon and prints the functions with the most self time.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { CatalogWriter } from '../src/catalog/CatalogWriter.js';
import { Keys } from '../src/catalog/keys.js';
import { groupByName } from '../src/sync/entries.js';
import { startOidcProvider } from '../devServices/oidc-provider.mjs';
import { freePort, startRedisServer } from '../devServices/redis.mjs';
import { generateCorpus } from './corpus.js';
import { measure } from './http.js';
import { rssOf, startGateway, stopChild } from './processes.js';

const route = process.argv[2] ?? 'list';
const names = Number(process.argv[3] ?? 20000);
const registries = Number(process.argv[4] ?? 1);
const AUD = 'https://mcp-gateway.bench/';

const redisServer = await startRedisServer();
const redis = new Redis(redisServer.url);
const writer = new CatalogWriter(redis, new Keys('prof'), { maxVersionsPerName: 1000, tombstoneRetentionMs: 7 * 86_400_000 });
for (let k = 0; k < registries; k++) {
  for (let off = 0; off < names; off += 2000) {
    const corpus = generateCorpus(Math.min(2000, names - off), 'io.bench', off + (k * names) / 2);
    await writer.replace(`up${k}`, groupByName(corpus.map((server) => ({ server }))));
  }
}
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const idp = await startOidcProvider({
  port: await freePort(),
  clients: [{ id: 'bench', secret: 'bench-secret', groups: ['engineering'] }],
  keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'k', alg: 'RS256', use: 'sig' }],
  audience: AUD,
  opaqueAudience: `${AUD}opaque`,
  introspection: { clientId: 'gateway', secret: 'x' },
});
const dir = mkdtempSync(path.join(tmpdir(), 'mcpgw-prof-'));
const port = await freePort();
const config = {
  server: { port, host: '127.0.0.1' },
  redis: { url: redisServer.url, prefix: 'prof' },
  registries: Array.from({ length: registries }, (_, k) => ({ name: `up${k}`, type: 'file', path: '/dev/null', watch: false })),
  auth: { mode: 'oidc', oidc: { issuer: idp.issuer, audience: AUD } },
  access: { rules: [{ groups: ['engineering'], registries: ['*'], servers: ['*'], exclude: ['io.bench.ns1*'] }] },
};
writeFileSync(path.join(dir, 'gw.yaml'), JSON.stringify(config));
const profDir = path.join(dir, 'prof');
const api = startGateway(['serve', '--role', 'api', '--config', path.join(dir, 'gw.yaml')], {}, false, ['--cpu-prof', `--cpu-prof-dir=${profDir}`, ...(process.env.PROF_NODE_ARGS ?? '').split(' ').filter(Boolean)]);
const base = `http://127.0.0.1:${port}`;
for (let i = 0; i < 100; i++) {
  if (await fetch(`${base}/readyz`).then((r) => r.ok, () => false)) break;
  await new Promise((r) => setTimeout(r, 200));
}
const tok = await fetch(`${idp.issuer}/token`, {
  method: 'POST',
  headers: { Authorization: `Basic ${Buffer.from('bench:bench-secret').toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ grant_type: 'client_credentials', resource: AUD }),
}).then((r) => r.json() as Promise<{ access_token: string }>);
const headers = { Authorization: `Bearer ${tok.access_token}` };
const cursors: string[] = [];
const sample: string[] = [];
let cursor: string | undefined;
for (let p = 0; p < 100; p++) {
  const body = (await (await fetch(`${base}/v0.1/servers?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { headers })).json()) as { servers: Array<{ server: { name: string } }>; metadata: { nextCursor?: string } };
  sample.push(...body.servers.map((s) => encodeURIComponent(s.server.name)));
  cursor = body.metadata.nextCursor;
  if (!cursor) break;
  cursors.push(cursor);
}
const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)] as T;
const next =
  route === 'detail'
      ? () => `/v0.1/servers/${pick(sample)}/versions/latest`
      : () => `/v0.1/servers?limit=30&cursor=${encodeURIComponent(pick(cursors))}`;
const heap = async () => {
  const m = await (await fetch(`${base}/metrics`)).text();
  const v = (k: string) => Math.round(Number(new RegExp(`^${k} (\\S+)`, 'm').exec(m)?.[1] ?? 0) / 2 ** 20);
  return `heapUsed ${v('mcpgw_nodejs_heap_size_used_bytes')} heapTotal ${v('mcpgw_nodejs_heap_size_total_bytes')} external ${v('mcpgw_nodejs_external_memory_bytes')} rss ${v('mcpgw_process_resident_memory_bytes')}`;
};
console.log('before load:', await heap());
const rounds = Number(process.env.PROF_ROUNDS ?? 1);
let r = await measure(base, next, { connections: 32, seconds: 8, runs: 1, headers });
for (let i = 1; i < rounds; i++) {
  console.log(`after round ${i}:`, await heap());
  r = await measure(base, next, { connections: 32, seconds: 8, runs: 1, headers });
}
console.log('after load:', await heap());
console.log(`${route}: ${Math.round(r.rps)} req/s p50 ${r.p50} p99 ${r.p99}; API RSS ${JSON.stringify(rssOf(api.pid as number))}`);
const metrics = await (await fetch(`${base}/metrics`)).text();
console.log(metrics.split('\n').filter((l) => /^mcpgw_(process_resident|nodejs_heap_size_(used|total)|nodejs_external_memory|nodejs_heap_space_size_used_bytes)/.test(l)).join('\n'));
await stopChild(api);
await idp.stop();
redis.disconnect();
await redisServer.stop();

const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
if (file) {
  const prof = JSON.parse(readFileSync(path.join(profDir, file), 'utf8')) as {
    nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
    samples: number[];
    timeDeltas: number[];
  };
  const self = new Map<number, number>();
  prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
  const byFn = new Map<string, number>();
  let total = 0;
  for (const n of prof.nodes) {
    const t = self.get(n.id) ?? 0;
    total += t;
    const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/')}:${n.callFrame.lineNumber}`;
    byFn.set(key, (byFn.get(key) ?? 0) + t);
  }
  for (const [k, t] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`);
}
process.exit(0);
