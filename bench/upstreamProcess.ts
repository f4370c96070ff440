// A sample upstream registry in its own process (so it never skews the measured process), fed a
// generated corpus and mutated on request over IPC.
import type { Server } from 'node:http';
import { server as makeServer } from './serverJson.js';
import { generateCorpus } from './corpus.js';
import { SampleRegistry } from '../src/sampleRegistry/SampleRegistry.js';
import { createSampleRegistryApp } from '../src/sampleRegistry/sampleRegistryApp.js';

const names = Number(process.argv[2] ?? 1000);
const offset = Number(process.argv[3] ?? 0);
const registry = new SampleRegistry();
const past = Date.now() - 86_400_000;
for (const s of generateCorpus(names, 'io.bench', offset)) registry.publish(s, new Date(past).toISOString());
const app = createSampleRegistryApp(registry);
const http: Server = app.listen(0, '127.0.0.1', () => {
  const address = http.address();
  process.send?.({ type: 'ready', port: typeof address === 'object' && address ? address.port : 0, versions: registry.size });
});

process.on('message', (msg: { type: string; count?: number }) => {
  if (msg.type !== 'mutate') return;
  const rows = registry.all();
  const count = msg.count ?? 100;
  for (let i = 0; i < count; i++) {
    const row = rows[(i * 7919) % rows.length];
    if (!row) continue;
    if (i % 3 === 0) registry.publish(makeServer(row.server.name, `99.${i}.0`));
    else if (i % 3 === 1) registry.setStatus(row.server.name, row.server.version, 'deprecated', 'bench');
    else registry.setStatus(row.server.name, row.server.version, 'deleted');
  }
  process.send?.({ type: 'mutated', count });
});
process.on('disconnect', () => http.close(() => process.exit(0)));
