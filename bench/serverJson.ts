import type { ServerJson } from '../src/catalog/types.js';

/** A small valid server.json. */
export function server(name: string, version: string): ServerJson {
  return { name, version, description: `Benchmark server ${name}` } as ServerJson;
}
