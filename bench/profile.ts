// CPU profile of the API under load: `node --import tsx bench/profile.ts [route=list|detail] [names=20000] [registries=1]` (PROF_HOT=1: the hot set).
// Loads a generated corpus straight into Redis, starts the API with --cpu-prof, loads it with
// autocannon and prints the functions with the most self time.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startLoadedGateway } from './loadedGateway.js';
import { measure } from './http.js';
import { rssOf } from './processes.js';
import { tmpdir } from 'node:os';

const route = process.argv[2] ?? 'list';
const names = Number(process.argv[3] ?? 20000);
const registries = Number(process.argv[4] ?? 1);
const profDir = path.join(mkdtempSync(path.join(tmpdir(), 'mcpgw-prof-')), 'prof');
const gw = await startLoadedGateway({
  names,
  registries,
  nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`, ...(process.env.PROF_NODE_ARGS ?? '').split(' ').filter(Boolean)],
});
const { base, headers, cursors, sample, api } = gw;
const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)] as T;
// PROF_HOT=1: the bench's hot set (the first 50 cursors, 200 names) instead of the whole catalogue.
const hot = process.env.PROF_HOT === '1';
const serverNames = hot ? sample.slice(0, 2000).filter((_, i) => i % 10 === 0) : sample;
const pages = hot ? cursors.slice(0, 50) : cursors;
const next =
  route === 'detail'
      ? () => `/v0.1/servers/${pick(serverNames)}/versions/latest`
      : () => `/v0.1/servers?limit=30&cursor=${encodeURIComponent(pick(pages))}`;
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
await gw.stop();

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
  const byModule = new Map<string, number>();
  for (const [k, t] of byFn) {
    const file = k.slice(k.indexOf(' ') + 1).replace(/:\d+$/, '');
    const module = file.startsWith('dist/') ? file : file.startsWith('node:') ? file.replace(/^node:internal\/([^/]+).*$/, 'node:$1') : file.includes('/') ? file.split('/')[0] as string : '(native)';
    byModule.set(module, (byModule.get(module) ?? 0) + t);
  }
  console.log('--- by module ---');
  for (const [k, t] of [...byModule].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`);
}
process.exit(0);
