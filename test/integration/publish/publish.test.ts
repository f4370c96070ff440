import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { server } from '../../helpers/corpus.js';
import { startTestGateway, tempDir, writeJson, type TestGateway } from '../../helpers/gateway.js';
import { startTestIdp, type TestIdp } from '../../helpers/idp.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';

const OFFICIAL = 'io.modelcontextprotocol.registry/official';
const GW = 'io.github.mcp-registry-gateway/federation';
const SCHEMA = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';
const LEGACY_SCHEMA = 'https://static.modelcontextprotocol.io/schemas/2025-09-29/server.schema.json';
interface Entry {
  server: Record<string, unknown> & { name: string; version: string };
  _meta: Record<string, Record<string, unknown>>;
}
interface Problem {
  status: number;
  detail: string;
  errors?: Array<{ location: string; message: string }>;
}
const ref = (file: string) => JSON.parse(readFileSync(new URL(`../../../reference/official/${file}`, import.meta.url), 'utf8')) as Array<Record<string, unknown>>;
const acme = (version: string, extra: Record<string, unknown> = {}) => ({ ...server('com.acme/tool', version), $schema: SCHEMA, ...extra });

describe('managed registries: publish, edit, status, delete', () => {
  let redis: TestRedis;
  let idp: TestIdp;
  let gw: TestGateway;
  let tokens: Record<string, string>;
  const logs: string[] = [];

  before(async () => {
    redis = await startTestRedis();
    idp = await startTestIdp([
      { id: 'platform-bot', secret: 's1', groups: ['platform'] },
      { id: 'alice', secret: 's2', groups: ['engineering'] },
      { id: 'admin', secret: 's3', groups: ['registry-admins'] },
    ]);
    const dir = tempDir();
    writeJson(dir, 'official.json', [server('com.acme/tool', '9.9.9', { description: 'public shadow attempt' }), server('io.github.x/y', '1.0.0')]);
    gw = await startTestGateway({
      redisUrl: redis.url,
      prefix: redis.prefix(),
      dir,
      logs,
      raw: {
        registries: [
          { name: 'internal', type: 'managed' },
          { name: 'official', type: 'file', path: 'official.json', watch: false },
        ],
        auth: { mode: 'oidc', oidc: { issuer: idp.issuer, audience: idp.audience } },
        access: {
          admins: ['registry-admins'],
          rules: [
            { groups: ['$authenticated'], registries: ['*'] },
            { groups: ['platform'], registries: ['internal'], publish: ['com.acme/*'] },
          ],
        },
        publish: { defaultRegistry: 'internal', maxBodyBytes: 20000 },
      },
    });
    tokens = { platform: await idp.token('platform-bot'), alice: await idp.token('alice'), admin: await idp.token('admin') };
  });
  after(async () => {
    await gw?.close();
    await idp?.close();
    await redis?.stop();
  });

  const send = (method: string, path: string, body: unknown, who = 'platform', contentType = 'application/json') =>
    gw.get(path, {
      method,
      headers: { ...(who ? { Authorization: `Bearer ${tokens[who]}` } : {}), 'Content-Type': contentType },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const read = (path: string, who = 'alice') => gw.get(path, { headers: { Authorization: `Bearer ${tokens[who]}` } });

  it('publishes and returns the stored entry; the aggregated view shows it at once and it beats a public copy', async () => {
    const before = await (await read('/v0.1/servers/com.acme%2Ftool/versions/latest')).json() as Entry;
    assert.equal(before.server.version, '9.9.9', 'public copy until the internal one exists');
    const r = await send('POST', '/internal/v0.1/publish', acme('1.0.0'));
    assert.equal(r.status, 200, await r.clone().text());
    const stored = (await r.json()) as Entry;
    assert.equal(stored.server.version, '1.0.0');
    assert.equal(stored._meta[OFFICIAL]?.status, 'active');
    assert.equal(stored._meta[OFFICIAL]?.isLatest, true);
    assert.ok(stored._meta[OFFICIAL]?.publishedAt && stored._meta[OFFICIAL]?.updatedAt);
    const after = (await (await read('/v0.1/servers/com.acme%2Ftool/versions/latest')).json()) as Entry;
    assert.equal(after.server.version, '1.0.0');
    assert.equal(after._meta[GW]?.registry, 'internal');
    assert.equal((await read('/v0.1/servers/com.acme%2Ftool/versions/9.9.9')).status, 404, 'no version mixing');
  });

  it('POST /v0.1/publish goes to publish.defaultRegistry', async () => {
    const r = await send('POST', '/v0.1/publish', acme('1.1.0'));
    assert.equal(r.status, 200);
    assert.equal(((await r.json()) as Entry)._meta[OFFICIAL]?.isLatest, true);
    const old = (await (await read('/internal/v0.1/servers/com.acme%2Ftool/versions/1.0.0')).json()) as Entry;
    assert.equal(old._meta[OFFICIAL]?.isLatest, false);
  });

  it('a duplicate version is 409; of concurrent duplicate publishes exactly one wins', async () => {
    assert.equal((await send('POST', '/internal/v0.1/publish', acme('1.0.0'))).status, 409);
    const results = await Promise.all(Array.from({ length: 6 }, () => send('POST', '/internal/v0.1/publish', acme('2.0.0'))));
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 409, 409, 409, 409, 409]);
  });

  it('rejects invalid bodies with 422 and errors[] pointing at the field', async () => {
    const long = ref('seed-legacy-2025-09-29.json').find((e) => typeof e.description === 'string' && e.description.length > 100) as Record<string, unknown>;
    const cases: Array<[string, unknown, string]> = [
      ['over-long description (real legacy entry)', { ...long, $schema: LEGACY_SCHEMA, name: 'com.acme/long' }, 'body.description'],
      ['bad transport type', acme('3.0.0', { packages: [{ registryType: 'npm', identifier: 'x', version: '1.0.0', transport: { type: 'carrier-pigeon' } }] }), 'body.packages[0].transport.type'],
      ['missing description', { $schema: SCHEMA, name: 'com.acme/tool', version: '3.0.1' }, 'body.description'],
      ['version latest', acme('latest'), 'body.version'],
      ['version range', acme('^1.2.0'), 'body.version'],
      ['blank title', acme('3.0.2', { title: '   ' }), 'body.title'],
      ['no $schema', { name: 'com.acme/tool', version: '3.0.3', description: 'x' }, 'body.$schema'],
      ['unknown $schema', acme('3.0.4', { $schema: 'https://example.com/schema.json' }), 'body.$schema'],
      ['bad name', acme('3.0.5', { name: 'com.acme/-tool-' }), 'body.name'],
      ['package version latest', acme('3.0.6', { packages: [{ registryType: 'npm', identifier: 'x', version: 'latest', transport: { type: 'stdio' } }] }), 'body.packages[0].version'],
      ['publisher _meta too large', acme('3.0.7', { _meta: { 'io.modelcontextprotocol.registry/publisher-provided': { blob: 'x'.repeat(5000) } } }), 'body._meta.io.modelcontextprotocol.registry/publisher-provided'],
    ];
    for (const [label, body, location] of cases) {
      const r = await send('POST', '/internal/v0.1/publish', body, 'admin');
      assert.equal(r.status, 422, label);
      assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      const p = (await r.json()) as Problem;
      assert.ok(p.errors?.some((e) => e.location === location), `${label}: ${JSON.stringify(p.errors)}`);
    }
  });

  it('rejects bad requests: content type 415, size 413, malformed JSON 400, non-object 400', async () => {
    assert.equal((await send('POST', '/internal/v0.1/publish', acme('4.0.0'), 'platform', 'text/plain')).status, 415);
    assert.equal((await send('POST', '/internal/v0.1/publish', acme('4.0.1', { description: 'x', padding: 'y'.repeat(30000) }))).status, 413);
    assert.equal((await send('POST', '/internal/v0.1/publish', '{"name": ')).status, 400);
    assert.equal((await send('POST', '/internal/v0.1/publish', '[1,2]')).status, 400);
  });

  it('permissions: publish patterns, admins, anonymous, read-only registries', async () => {
    assert.equal((await send('POST', '/internal/v0.1/publish', acme('5.0.0'), 'alice')).status, 403);
    const other = await send('POST', '/internal/v0.1/publish', { ...acme('1.0.0'), name: 'io.github.other/tool' });
    assert.equal(other.status, 403);
    assert.match(((await other.json()) as Problem).detail, /publish patterns/);
    assert.equal((await send('POST', '/internal/v0.1/publish', { ...acme('1.0.0'), name: 'io.github.other/tool' }, 'admin')).status, 200);
    const anon = await send('POST', '/internal/v0.1/publish', acme('5.0.1'), '');
    assert.equal(anon.status, 401);
    const ro = await send('POST', '/official/v0.1/publish', acme('5.0.2'), 'admin');
    assert.equal(ro.status, 405);
    assert.match(((await ro.json()) as Problem).detail, /file registry and is read-only/);
    assert.equal((await send('POST', '/nope/v0.1/publish', acme('5.0.3'), 'admin')).status, 404);
    assert.equal((await send('POST', '/internal/v0/publish', { ...acme('1.0.0'), name: 'com.acme/alias' })).status, 200, '/v0 aliases /v0.1 for writes too');
    assert.equal((await send('PUT', '/v0.1/servers/com.acme%2Ftool/versions/1.0.0', acme('1.0.0'))).status, 405);
  });

  it('status: deprecate with a message, errors, and the all-versions form', async () => {
    const dep = await send('PATCH', '/internal/v0.1/servers/com.acme%2Ftool/versions/1.0.0/status', { status: 'deprecated', statusMessage: 'use 2.x' });
    assert.equal(dep.status, 200);
    const e = (await dep.json()) as Entry;
    assert.equal(e._meta[OFFICIAL]?.status, 'deprecated');
    assert.equal(e._meta[OFFICIAL]?.statusMessage, 'use 2.x');
    const noop = await send('PATCH', '/internal/v0.1/servers/com.acme%2Ftool/versions/1.0.0/status', { status: 'deprecated', statusMessage: 'use 2.x' });
    assert.equal(noop.status, 400);
    assert.match(((await noop.json()) as Problem).detail, /No changes/);
    assert.equal((await send('PATCH', '/internal/v0.1/servers/com.acme%2Ftool/versions/1.0.0/status', { status: 'active', statusMessage: 'x' })).status, 400);
    assert.equal((await send('PATCH', '/internal/v0.1/servers/com.acme%2Ftool/versions/1.0.0/status', { status: 'deprecated', statusMessage: 'x'.repeat(501) })).status, 400);
    assert.equal((await send('PATCH', '/internal/v0.1/servers/com.acme%2Ftool/versions/1.0.0/status', { status: 'gone' })).status, 422);
    assert.equal((await send('PATCH', '/internal/v0.1/servers/com.acme%2Ftool/versions/7.7.7/status', { status: 'deprecated' })).status, 404);
    const all = await send('PATCH', '/internal/v0.1/servers/com.acme%2Ftool/status', { status: 'deprecated', statusMessage: 'product retired' });
    assert.equal(all.status, 200);
    const body = (await all.json()) as { updatedCount: number; servers: Entry[] };
    assert.equal(body.updatedCount, 3);
    assert.ok(body.servers.every((s) => s._meta[OFFICIAL]?.statusMessage === 'product retired'));
    assert.equal((await send('PATCH', '/internal/v0.1/servers/com.acme%2Ftool/status', { status: 'active' })).status, 200);
  });

  it('updated_since sees every write, so downstream syncs converge', async () => {
    const since = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    await send('PATCH', '/internal/v0.1/servers/com.acme%2Ftool/versions/1.1.0/status', { status: 'deprecated' });
    const r = (await (await read(`/v0.1/servers?updated_since=${since}`)).json()) as { servers: Entry[] };
    assert.deepEqual(r.servers.map((s) => `${s.server.name}@${s.server.version}:${s._meta[OFFICIAL]?.status}`), ['com.acme/tool@1.1.0:deprecated']);
  });

  it('edit (PUT) replaces the body; name/version must match the path', async () => {
    const r = await send('PUT', '/internal/v0.1/servers/com.acme%2Ftool/versions/2.0.0', acme('2.0.0', { description: 'edited' }));
    assert.equal(r.status, 200);
    assert.equal(((await r.json()) as Entry).server.description, 'edited');
    assert.equal((await send('PUT', '/internal/v0.1/servers/com.acme%2Ftool/versions/2.0.0', acme('2.0.1'))).status, 400);
    assert.equal((await send('PUT', '/internal/v0.1/servers/com.acme%2Ftool/versions/8.8.8', acme('8.8.8'))).status, 404);
  });

  it('delete leaves a tombstone, recomputes latest, and never falls through to the public copy', async () => {
    const r = await send('DELETE', '/internal/v0.1/servers/com.acme%2Ftool/versions/2.0.0', undefined);
    assert.equal(r.status, 200);
    assert.equal(((await r.json()) as Entry)._meta[OFFICIAL]?.status, 'deleted');
    assert.equal((await read('/v0.1/servers/com.acme%2Ftool/versions/2.0.0')).status, 404);
    const latest = (await (await read('/v0.1/servers/com.acme%2Ftool/versions/latest')).json()) as Entry;
    assert.equal(latest.server.version, '1.1.0');
    assert.equal((await send('DELETE', '/internal/v0.1/servers/com.acme%2Ftool/versions/2.0.0', undefined)).status, 404);
    for (const v of ['1.0.0', '1.1.0']) await send('DELETE', `/internal/v0.1/servers/com.acme%2Ftool/versions/${v}`, undefined);
    assert.equal((await read('/v0.1/servers/com.acme%2Ftool/versions/latest')).status, 404, 'an internal deletion does not fall through to the public 9.9.9');
  });

  it('publishes every real sample entry that is valid under its schema; the others are refused by field', async () => {
    for (const entry of ref('seed.json')) {
      const r = await send('POST', '/internal/v0.1/publish', entry, 'admin');
      assert.equal(r.status, 200, `${String(entry.name)}@${String(entry.version)}: ${await r.clone().text()}`);
    }
    let ok = 0;
    let refused = 0;
    for (const entry of ref('seed-legacy-2025-09-29.json')) {
      const r = await send('POST', '/internal/v0.1/publish', { $schema: LEGACY_SCHEMA, ...entry }, 'admin');
      if (r.status === 200) {
        ok++;
        continue;
      }
      assert.equal(r.status, 422, String(entry.name));
      const p = (await r.json()) as Problem;
      assert.deepEqual(p.errors?.map((e) => e.location), ['body.description'], String(entry.name));
      refused++;
    }
    assert.equal(ok, 215);
    assert.equal(refused, 143);
    const count = (await (await read('/internal/v0.1/servers?limit=100', 'admin')).json()) as { metadata: { count: number } };
    assert.equal(count.metadata.count, 100);
  });

  it('audit-logs every write with who, what and the result', () => {
    const audit = logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.message === 'audit' && String(l.action).startsWith('publish.'));
    assert.ok(audit.some((l) => l.action === 'publish.publish' && l.subject === 'platform-bot' && l.server === 'com.acme/tool'));
    assert.ok(audit.some((l) => l.action === 'publish.delete'));
    assert.ok(audit.some((l) => l.action === 'publish.status' && l.versions === 3));
  });
});

describe('managed registries with auth off', () => {
  let redis: TestRedis;
  const started: TestGateway[] = [];
  before(async () => {
    redis = await startTestRedis();
  });
  after(async () => {
    for (const g of started) await g.close();
    await redis?.stop();
  });

  it('an invisible registry is 404 for writes exactly like a missing one', async () => {
    const gw = await startTestGateway({
      redisUrl: redis.url,
      prefix: redis.prefix(),
      raw: {
        registries: [
          { name: 'open', type: 'managed' },
          { name: 'hidden', type: 'managed' },
        ],
        access: { rules: [{ groups: ['$anonymous'], registries: ['open'] }] },
        publish: { allowAnonymous: true },
      },
    });
    started.push(gw);
    const post = (path: string) => gw.get(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(acme('1.0.0')) });
    assert.equal((await post('/open/v0.1/publish')).status, 200);
    const hidden = await post('/hidden/v0.1/publish');
    const missing = await post('/missing/v0.1/publish');
    assert.equal(hidden.status, 404);
    assert.equal(missing.status, 404);
    const patch = await gw.get('/hidden/v0.1/servers/com.acme%2Ftool/status', { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: '{"status":"deprecated"}' });
    assert.equal(patch.status, 404);
  });

  it('writes are refused unless publish.allowAnonymous is set, and the error says so', async () => {
    const locked = await startTestGateway({ redisUrl: redis.url, prefix: redis.prefix(), raw: { registries: [{ name: 'internal', type: 'managed' }] } });
    started.push(locked);
    const r = await locked.get('/internal/v0.1/publish', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(acme('1.0.0')) });
    assert.equal(r.status, 403);
    assert.match(((await r.json()) as Problem).detail, /publish\.allowAnonymous/);
    const noDefault = await locked.get('/v0.1/publish', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(acme('1.0.0')) });
    assert.equal(noDefault.status, 501);
    assert.match(((await noDefault.json()) as Problem).detail, /POST \/\{registryName\}\/v0\.1\/publish/);

    const open = await startTestGateway({ redisUrl: redis.url, prefix: redis.prefix(), raw: { registries: [{ name: 'internal', type: 'managed' }], publish: { allowAnonymous: true } } });
    started.push(open);
    const ok = await open.get('/internal/v0.1/publish', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(acme('1.0.0')) });
    assert.equal(ok.status, 200);
  });
});
