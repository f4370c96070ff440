import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { documentItems } from '../sync/entries.js';
import { createSampleRegistryApp, sampleRegistryFrom } from '../sampleRegistry/sampleRegistryApp.js';

/** `sample-upstream --data FILE`: serve a JSON file as a read-only v0.1 registry. */
export async function runSampleUpstream(opts: { data: string; port: string; host: string }): Promise<void> {
  const doc = JSON.parse(readFileSync(opts.data, 'utf8')) as unknown;
  const items = documentItems(doc);
  if (!items) throw new ConfigError(opts.data, ['expected a JSON array of server.json objects or a v0.1 list response']);
  const registry = sampleRegistryFrom(items);
  const app = createSampleRegistryApp(registry);
  const server = app.listen(Number(opts.port), opts.host, () => {
    process.stdout.write(`sample upstream registry: ${registry.size} versions from ${opts.data} at http://${opts.host}:${opts.port}/v0.1/servers\n`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
