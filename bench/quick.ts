// Quick HTTP ratios while working on the read path (the published figures come from `npm run bench`):
//   node --import tsx bench/quick.ts [names=20000] [registries=1] [seconds=5]
// Loads a corpus straight into Redis, then measures list/detail/versions of the gateway against the
// express floor and plain node:http sending the same bytes, in the same run. QUICK_NODE_ARGS passes
// V8 flags to the API process.
import { measure } from './http.js';
import { startLoadedGateway } from './loadedGateway.js';
import { rssOf, startBaseline } from './processes.js';

const names = Number(process.argv[2] ?? 20000);
const registries = Number(process.argv[3] ?? 1);
const seconds = Number(process.argv[4] ?? 5);
const gw = await startLoadedGateway({ names, registries, nodeArgs: (process.env.QUICK_NODE_ARGS ?? '').split(' ').filter(Boolean) });
const floor = await startBaseline('express');
const limit = await startBaseline('node');
const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)] as T;
const opts = { connections: 32, seconds, runs: 1, headers: gw.headers };
const routes: Array<[string, () => string]> = [
  ['list', () => `/v0.1/servers?limit=30&cursor=${encodeURIComponent(pick(gw.cursors))}`],
  ['detail', () => `/v0.1/servers/${pick(gw.sample)}/versions/latest`],
  ['versions', () => `/v0.1/servers/${pick(gw.sample)}/versions`],
];
for (const [name, next] of routes) {
  let bytes = 0;
  for (let i = 0; i < 20; i++) bytes += (await (await fetch(gw.base + next(), { headers: gw.headers })).arrayBuffer()).byteLength;
  bytes = Math.round(bytes / 20);
  const f = await measure(floor.url, () => `/bytes?n=${bytes}`, opts);
  const n = await measure(limit.url, () => `/bytes?n=${bytes}`, opts);
  const g = await measure(gw.base, next, opts);
  console.log(
    `${name.padEnd(8)} ${Math.round(g.rps)} req/s = ${(g.rps / f.rps).toFixed(2)}x express (${Math.round(f.rps)}), ${(g.rps / n.rps).toFixed(2)}x node:http (${Math.round(n.rps)}); p99 ${g.p99} vs ${f.p99} ms; ${bytes} B`,
  );
}
console.log('API RSS', rssOf(gw.api.pid as number));
floor.child.kill();
limit.child.kill();
await gw.stop();
process.exit(0);
