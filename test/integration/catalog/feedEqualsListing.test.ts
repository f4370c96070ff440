import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { server } from '../../helpers/corpus.js';
import { listAll, startTestGateway, tempDir, type TestGateway } from '../../helpers/gateway.js';
import { startTestIdp, type TestIdp } from '../../helpers/idp.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';
import { rng } from '../../helpers/rng.js';

// DESIGN §3 "The feed equals the listing", as a property: random publishes, status changes,
// deletions, new names and ownership changes in both directions across three registries (a
// managed one above a file registry above a managed one), seen by three callers with different
// rules. After every step, for every caller: updated_since=epoch equals include_deleted=true;
// updated_since=<before the step> returns exactly the rows whose content changed for that caller
// (so an invisible change never moves a caller's feed); and a chained gateway that only ever polls
// updated_since (one upstream per caller, with that caller's token) equals the caller's listing.

const OFFICIAL = 'io.modelcontextprotocol.registry/official';
const GW = 'io.github.mcp-registry-gateway/federation';
const EPOCH = '1970-01-01T00:00:00Z';
const NAMES = ['io.x/alpha', 'io.x/beta', 'io.x/secret-gamma', 'io.y/delta'];
const VERSIONS = ['1.0.0', '1.1.0', '2.0.0', 'nightly'];
const CALLERS = ['admin', 'dev', 'anon'] as const;
type Caller = (typeof CALLERS)[number];

interface Entry {
  server: { name: string; version: string } & Record<string, unknown>;
  _meta: Record<string, Record<string, unknown>>;
}

const key = (e: Entry) => `${e.server.name}@${e.server.version}`;
/** A row as a downstream stores it: everything but the gateway's own bookkeeping key. */
const content = (e: Entry) => JSON.stringify([e.server, { ...e._meta[OFFICIAL], updatedAt: undefined }]);

describe('the feed equals the listing, for every caller, through ownership changes', () => {
  let redis: TestRedis;
  let idp: TestIdp;
  let a: TestGateway;
  let b: TestGateway;
  let dir: string;
  const tokens = {} as Record<Caller, string>;
  const curated = new Map<string, Set<string>>();

  before(async () => {
    redis = await startTestRedis();
    idp = await startTestIdp([
      { id: 'admin', secret: 's1', groups: ['registry-admins'] },
      { id: 'dev', secret: 's2', groups: ['engineering'] },
    ]);
    dir = tempDir();
    writeFileSync(path.join(dir, 'curated.json'), '[]');
    a = await startTestGateway({
      redisUrl: redis.url,
      prefix: redis.prefix(),
      role: 'api',
      dir,
      raw: {
        registries: [
          { name: 'internal', type: 'managed' },
          { name: 'curated', type: 'file', path: 'curated.json', watch: false },
          { name: 'public', type: 'managed' },
        ],
        auth: { mode: 'oidc', oidc: { issuer: idp.issuer, audience: idp.audience } },
        access: {
          admins: ['registry-admins'],
          rules: [
            { groups: ['$authenticated'], registries: ['*'], servers: ['*'], exclude: ['io.x/secret-*'] },
            { groups: ['$anonymous'], registries: ['curated', 'public'], servers: ['io.x/*'] },
          ],
        },
      },
    });
    tokens.admin = await idp.token('admin');
    tokens.dev = await idp.token('dev');
    tokens.anon = '';
    const sync = { pageSize: 7, maxRequestsPerSecond: 1000, safetyMargin: '1ms', interval: '1h' };
    b = await startTestGateway({
      redisUrl: redis.url,
      prefix: redis.prefix(),
      role: 'api',
      env: { ADMIN_TOKEN: tokens.admin, DEV_TOKEN: tokens.dev },
      raw: {
        registries: [
          { name: 'as-admin', type: 'upstream', url: a.url, sync, auth: { tokenEnv: 'ADMIN_TOKEN' } },
          { name: 'as-dev', type: 'upstream', url: a.url, sync, auth: { tokenEnv: 'DEV_TOKEN' } },
          { name: 'as-anon', type: 'upstream', url: a.url, sync },
        ],
      },
    });
  });
  after(async () => {
    await b?.close();
    await a?.close();
    await idp?.close();
    await redis?.stop();
  });

  const as = (who: Caller): Record<string, string> => (tokens[who] ? { Authorization: `Bearer ${tokens[who]}` } : {});
  const rowsOf = async (who: Caller, query: string) => {
    const out: Entry[] = [];
    let cursor: string | undefined;
    do {
      const res = await a.get(`/v0.1/servers?${query}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { headers: as(who) });
      assert.equal(res.status, 200, `${who} ${query}`);
      const body = (await res.json()) as { servers: Entry[]; metadata: { nextCursor?: string } };
      out.push(...body.servers);
      cursor = body.metadata.nextCursor;
    } while (cursor);
    return out;
  };
  const write = async (method: string, p: string, body: unknown) => {
    const res = await a.get(p, { method, headers: { ...as('admin'), 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    assert.ok(res.status < 300, `${method} ${p}: ${res.status} ${await res.text()}`);
  };
  const saveCurated = async () => {
    const list = [...curated].flatMap(([name, versions]) => [...versions].map((v) => server(name, v, { description: `curated ${name} ${v}` })));
    writeFileSync(path.join(dir, 'curated.json'), JSON.stringify(list));
    await a.fileSources[0]?.load();
  };

  /** One random operation; returns a label for failure messages (or undefined when it did nothing). */
  async function step(r: ReturnType<typeof rng>, held: Map<string, Map<string, string>>): Promise<string | undefined> {
    const name = r.pick(NAMES);
    const version = r.pick(VERSIONS);
    const op = r.int(6);
    if (op <= 1) {
      const reg = r.pick(['internal', 'public']);
      const versions = held.get(`${reg}|${name}`) ?? new Map<string, string>();
      if (versions.has(version)) return undefined;
      await write('POST', `/${reg}/v0.1/publish`, server(name, version, { description: `${reg} ${name} ${version}` }));
      held.set(`${reg}|${name}`, versions.set(version, 'active'));
      return `publish ${reg} ${name}@${version}`;
    }
    if (op === 2) {
      const reg = r.pick(['internal', 'public']);
      const versions = held.get(`${reg}|${name}`);
      const target = versions ? r.pick([...versions.keys()]) : undefined;
      if (!versions || !target) return undefined;
      const status = r.pick(['active', 'deprecated', 'deleted'].filter((s) => s !== versions.get(target)));
      await write('PATCH', `/${reg}/v0.1/servers/${encodeURIComponent(name)}/versions/${target}/status`, { status });
      versions.set(target, status);
      return `status ${reg} ${name}@${target} ${status}`;
    }
    if (op === 3 || op === 4) {
      const versions = curated.get(name) ?? new Set<string>();
      versions.add(version);
      curated.set(name, versions);
      await saveCurated();
      return `curated adds ${name}@${version}`;
    }
    const versions = curated.get(name);
    if (!versions) return undefined;
    if (r.next() < 0.5) curated.delete(name);
    else versions.delete(r.pick([...versions]));
    if (versions.size === 0) curated.delete(name);
    await saveCurated();
    return `curated removes from ${name}`;
  }

  it('holds after every step of random sequences (3 seeds)', async () => {
    const before = new Map<Caller, Entry[]>(CALLERS.map((c) => [c, []]));
    let firstSync = true;
    // Seeds run one after another on the same catalogue, each continuing from the last state.
    const held = new Map<string, Map<string, string>>();
    for (const seed of [11, 29, 47]) {
      const r = rng(seed);
      for (let n = 0; n < 14; n++) {
        const t0 = new Date(Date.now() - 1).toISOString();
        await new Promise((resolve) => setTimeout(resolve, 3));
        const label = await step(r, held);
        if (!label) continue;
        const where = `seed ${seed} step ${n} (${label})`;
        for (const who of CALLERS) {
          const listing = await rowsOf(who, 'include_deleted=true');
          const feed = await rowsOf(who, `updated_since=${EPOCH}`);
          assert.deepEqual(feed.map((e) => JSON.stringify(e)), listing.map((e) => JSON.stringify(e)), `${where}: ${who}'s feed from the epoch equals the listing`);

          const old = new Map((before.get(who) as Entry[]).map((e) => [key(e), content(e)]));
          const changed = listing.filter((e) => old.get(key(e)) !== content(e)).map(key);
          const sinceStep = (await rowsOf(who, `updated_since=${t0}`)).map(key);
          assert.deepEqual(sinceStep, changed, `${where}: ${who}'s feed since the step holds exactly what changed for ${who}`);
          assert.ok([...old.keys()].every((k) => listing.some((e) => key(e) === k)), `${where}: no row leaves ${who}'s listing without a tombstone`);
          before.set(who, listing);
        }
        await chainedAgrees(where, firstSync);
        firstSync = false;
      }
    }
  });

  it('an ownership change in a registry a caller cannot see never moves that caller\'s feed', async () => {
    await write('POST', '/public/v0.1/publish', server('io.x/omega', '1.0.0'));
    const t = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 3));
    await write('POST', '/internal/v0.1/publish', server('io.x/omega', '2.0.0'));
    assert.deepEqual((await rowsOf('anon', `updated_since=${t}`)).map(key), [], 'anonymous cannot see internal: nothing changed for it');
    const dev = await rowsOf('dev', `updated_since=${t}`);
    assert.deepEqual(dev.map(key), ['io.x/omega@1.0.0', 'io.x/omega@2.0.0']);
    assert.equal(dev[0]?._meta[OFFICIAL]?.status, 'deleted', 'the public version is displaced for a caller who sees internal');
    assert.equal(dev[0]?._meta[GW]?.displacedBy, 'internal');
    assert.ok(dev.every((e) => (e._meta[OFFICIAL]?.updatedAt as string) > t), 'strictly after updated_since');
  });

  /** The chained gateway polls updated_since per caller and must hold exactly that caller's listing. */
  async function chainedAgrees(where: string, full: boolean): Promise<void> {
    for (const who of CALLERS) {
      const status = await b.upstreams.get(`as-${who}`)?.run({ full });
      assert.equal(status?.phase, 'complete', `${where}: chained sync as ${who}: ${status?.message}`);
      if (!full) assert.equal(status?.lastRunMode, 'incremental');
      const mirrored = await listAll<Entry>(b, `/as-${who}/v0.1/servers?include_deleted=true`);
      const expected = await rowsOf(who, 'include_deleted=true');
      const liveNames = new Set(expected.filter((e) => e._meta[OFFICIAL]?.status !== 'deleted').map((e) => e.server.name));
      const shape = (e: Entry) => {
        const o = e._meta[OFFICIAL] ?? {};
        return JSON.stringify([e.server, o.status, o.statusMessage ?? null, liveNames.has(e.server.name) ? o.isLatest : null]);
      };
      assert.deepEqual(mirrored.map(shape), expected.map(shape), `${where}: the gateway chained as ${who} equals ${who}'s listing`);
      assert.ok(expected.every((e) => e._meta[GW]?.registry !== undefined));
    }
  }
});
