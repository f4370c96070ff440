// A gateway API process over a generated catalogue written straight into Redis (no sync), with a
// real OpenID Provider and a JWT: what `bench/profile.ts` and `bench/quick.ts` load.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { CatalogWriter } from '../src/catalog/CatalogWriter.js';
import { Keys } from '../src/catalog/keys.js';
import { groupByName } from '../src/sync/entries.js';
import { startOidcProvider } from '../devServices/oidc-provider.mjs';
import { freePort, startRedisServer } from '../devServices/redis.mjs';
import { generateCorpus } from './corpus.js';
import { startGateway, stopChild } from './processes.js';

const AUD = 'https://mcp-gateway.bench/';

/** A loaded gateway, the paths worth requesting and the credentials to request them. */
export interface LoadedGateway {
  base: string;
  api: ChildProcess;
  headers: Record<string, string>;
  /** List cursors (limit=100 pages) across the whole catalogue. */
  cursors: string[];
  /** Encoded server names across the whole catalogue. */
  sample: string[];
  stop(): Promise<void>;
}

/**
 * Writes `registries` overlapping corpora of `names` names each (as `npm run bench` does), starts
 * the API with `nodeArgs` and the same auth and visibility rule as the bench, and collects cursors
 * and names by paging the whole list.
 */
export async function startLoadedGateway(options: { names: number; registries: number; nodeArgs?: string[] }): Promise<LoadedGateway> {
  const redisServer = await startRedisServer();
  const redis = new Redis(redisServer.url);
  const writer = new CatalogWriter(redis, new Keys('prof'), { maxVersionsPerName: 1000, tombstoneRetentionMs: 7 * 86_400_000 });
  for (let k = 0; k < options.registries; k++) {
    for (let off = 0; off < options.names; off += 2000) {
      const corpus = generateCorpus(Math.min(2000, options.names - off), 'io.bench', off + (k * options.names) / 2);
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
    registries: Array.from({ length: options.registries }, (_, k) => ({ name: `up${k}`, type: 'file', path: '/dev/null', watch: false })),
    auth: { mode: 'oidc', oidc: { issuer: idp.issuer, audience: AUD } },
    access: { rules: [{ groups: ['engineering'], registries: ['*'], servers: ['*'], exclude: ['io.bench.ns1*'] }] },
  };
  writeFileSync(path.join(dir, 'gw.yaml'), JSON.stringify(config));
  const api = startGateway(['serve', '--role', 'api', '--config', path.join(dir, 'gw.yaml')], {}, false, options.nodeArgs ?? []);
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
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
  for (let p = 0; p < 5000; p++) {
    const body = (await (await fetch(`${base}/v0.1/servers?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { headers })).json()) as { servers: Array<{ server: { name: string } }>; metadata: { nextCursor?: string } };
    sample.push(...body.servers.map((s) => encodeURIComponent(s.server.name)));
    cursor = body.metadata.nextCursor;
    if (!cursor) break;
    cursors.push(cursor);
  }
  return {
    base,
    api,
    headers,
    cursors,
    sample: [...new Set(sample)],
    stop: async () => {
      await stopChild(api);
      await idp.stop();
      redis.disconnect();
      await redisServer.stop();
    },
  };
}
