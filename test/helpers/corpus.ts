import type { ServerJson } from '../../src/catalog/types.js';

/** A minimal valid server.json. */
export function server(name: string, version: string, extra: Record<string, unknown> = {}): ServerJson {
  return {
    $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json',
    name,
    version,
    description: `Test server ${name}`,
    ...extra,
  } as ServerJson;
}

/** A v0.1 list item with official metadata. */
export function item(s: ServerJson, official: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    server: s,
    _meta: {
      'io.modelcontextprotocol.registry/official': {
        status: 'active',
        publishedAt: '2025-10-01T00:00:00Z',
        updatedAt: '2025-10-01T00:00:00Z',
        isLatest: false,
        ...official,
      },
    },
  };
}

/**
 * A deterministic corpus: `names` names `io.example.nN/server-M`, each with 1..`maxVersions`
 * versions (a mix of semver, prerelease and non-semver).
 */
export function corpus(names: number, maxVersions = 4, namespace = 'io.example'): ServerJson[] {
  const out: ServerJson[] = [];
  for (let i = 0; i < names; i++) {
    const name = `${namespace}.n${String(i).padStart(4, '0')}/server-${i % 7}`;
    const count = 1 + (i % maxVersions);
    for (let v = 0; v < count; v++) {
      const version = v === 3 ? `2.0.0-rc.${i % 3}` : i % 11 === 5 && v === 0 ? `build-${i}` : `1.${v}.${i % 10}`;
      out.push(server(name, version, { title: `Title ${i}`, description: `Server number ${i}${i % 13 === 0 ? ' weather forecasts' : ''}` }));
    }
  }
  return out;
}
