import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AccessPolicy } from '../../../src/access/AccessPolicy.js';
import { authenticatedPrincipal } from '../../../src/access/principal.js';
import { CatalogService } from '../../../src/catalog/CatalogService.js';
import { CatalogStore } from '../../../src/catalog/CatalogStore.js';
import { CatalogWriter } from '../../../src/catalog/CatalogWriter.js';
import { ReadModelFollower } from '../../../src/catalog/ReadModelFollower.js';
import { CursorCodec } from '../../../src/catalog/cursor.js';
import { Keys } from '../../../src/catalog/keys.js';
import type { IncomingEntry } from '../../../src/catalog/types.js';
import { server } from '../../helpers/corpus.js';
import { rng } from '../../helpers/rng.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';

/** Reference glob matcher, written independently of the gateway's RegExp compiler. */
function globMatch(pattern: string, text: string): boolean {
  if (pattern === '') return text === '';
  if (pattern[0] === '*') {
    for (let i = 0; i <= text.length; i++) if (globMatch(pattern.slice(1), text.slice(i))) return true;
    return false;
  }
  return text.length > 0 && pattern[0] === text[0] && globMatch(pattern.slice(1), text.slice(1));
}

interface Rule {
  groups: string[];
  registries: string[];
  servers: string[];
  exclude: string[];
  publish: string[];
}

const REGISTRIES = ['alpha', 'beta', 'gamma'];
const NAMESPACES = ['com.acme', 'io.github.open', 'io.github.untrusted', 'org.example'];
const GROUPS = ['g1', 'g2', 'g3'];
const SERVER_GLOBS = ['*', 'com.acme/*', 'io.github.*', '*/s1*', 'org.example/s2', '*untrusted*'];

describe('visibility property: for random rules and corpora, listings equal the allowed set', () => {
  let redis: TestRedis;
  before(async () => {
    redis = await startTestRedis();
  });
  after(async () => {
    await redis?.stop();
  });

  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`seed ${seed}`, async () => {
      const r = rng(seed);
      const client = redis.client();
      const keys = new Keys(redis.prefix());
      const store = new CatalogStore(client, keys);
      const writer = new CatalogWriter(client, keys, { maxVersionsPerName: 1000, tombstoneRetentionMs: 7 * 86_400_000 });
      // Corpus: each registry holds a random subset of names, with random versions and statuses.
      const holdings = new Map<string, Map<string, Array<{ version: string; status: string }>>>();
      for (const reg of REGISTRIES) {
        const groups = new Map<string, IncomingEntry[]>();
        const held = new Map<string, Array<{ version: string; status: string }>>();
        for (const ns of NAMESPACES) {
          for (let i = 0; i < 12; i++) {
            if (r.next() < 0.45) continue;
            const name = `${ns}/s${i}`;
            const versions = 1 + r.int(3);
            const entries: IncomingEntry[] = [];
            const list: Array<{ version: string; status: string }> = [];
            for (let v = 0; v < versions; v++) {
              const status = r.pick(['active', 'active', 'active', 'deprecated', 'deleted']);
              const version = `1.${v}.${r.int(3)}`;
              if (list.some((x) => x.version === version)) continue;
              entries.push({ server: server(name, version), official: { status: status as 'active' } });
              list.push({ version, status });
            }
            groups.set(name, entries);
            held.set(name, list);
          }
        }
        await writer.replace(reg, groups);
        holdings.set(reg, held);
      }
      const index = new ReadModelFollower(store, REGISTRIES);
      await index.load();
      const catalog = new CatalogService(index, store, new CursorCodec(Buffer.from(`secret-${seed}`)), 7 * 86_400_000);

      for (let round = 0; round < 8; round++) {
        const rules: Rule[] = Array.from({ length: 1 + r.int(4) }, () => ({
          groups: [r.pick(GROUPS)],
          registries: r.next() < 0.3 ? ['*'] : [r.pick(REGISTRIES)],
          servers: [r.pick(SERVER_GLOBS)],
          exclude: r.next() < 0.4 ? [r.pick(SERVER_GLOBS.filter((g) => g !== '*'))] : [],
          publish: [],
        }));
        const groups = GROUPS.filter(() => r.next() < 0.5);
        const policy = new AccessPolicy({ admins: [], rules }, REGISTRIES);
        const view = policy.viewFor(authenticatedPrincipal('u', groups));
        const matching = rules.filter((rule) => rule.groups.some((g) => groups.includes(g)));
        const visible = (reg: string, name: string) =>
          matching.some(
            (rule) =>
              rule.registries.some((p) => globMatch(p, reg)) && rule.servers.some((p) => globMatch(p, name)) && !rule.exclude.some((p) => globMatch(p, name)),
          );

        // Expected aggregated rows: owner = first registry holding the name that the caller may see.
        const allNames = [...new Set(REGISTRIES.flatMap((reg) => [...(holdings.get(reg)?.keys() ?? [])]))].sort();
        const expected: string[] = [];
        for (const name of allNames) {
          const owner = REGISTRIES.find((reg) => holdings.get(reg)?.has(name) && visible(reg, name));
          if (!owner) continue;
          for (const v of [...(holdings.get(owner)?.get(name) ?? [])].sort((a, b) => (a.version < b.version ? -1 : 1))) {
            if (v.status !== 'deleted') expected.push(`${name}@${v.version}`);
          }
        }

        const limit = 1 + r.int(7);
        const rows: string[] = [];
        let cursor: string | undefined;
        for (let pages = 0; pages < 500; pages++) {
          const body = JSON.parse(
            (await catalog.listServers(view, { kind: 'aggregate' }, { limit, includeDeleted: false, ...(cursor ? { cursor } : {}) })).body?.toString() as string,
          ) as { servers: Array<{ server: { name: string; version: string } }>; metadata: { count: number; nextCursor?: string } };
          if (body.metadata.nextCursor) assert.equal(body.servers.length, limit, `seed ${seed} round ${round}: a page with a next cursor is full`);
          assert.equal(body.metadata.count, body.servers.length);
          rows.push(...body.servers.map((s) => `${s.server.name}@${s.server.version}`));
          cursor = body.metadata.nextCursor;
          if (!cursor) break;
        }
        assert.deepEqual(rows, expected, `seed ${seed} round ${round} rules ${JSON.stringify(rules)} groups ${JSON.stringify(groups)}`);

        // Detail lookups agree with the listing, and invisible names are indistinguishable from missing ones.
        for (const name of allNames.slice(0, 12)) {
          const shouldSee = expected.some((row) => row.startsWith(`${name}@`));
          let saw = true;
          try {
            await catalog.listVersions(view, { kind: 'aggregate' }, name, false);
          } catch (err) {
            assert.equal((err as Error).message, 'Server not found');
            saw = false;
          }
          assert.equal(saw, shouldSee, `seed ${seed} round ${round}: versions of ${name}`);
        }
      }
    });
  }
});
