import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { corpus, server } from '../../helpers/corpus.js';
import { startFakeUpstream, type FakeUpstream } from '../../helpers/fakeUpstream.js';
import { listAll as listAllRows, startTestGateway, tempDir, writeJson, type TestGateway } from '../../helpers/gateway.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';

const OFFICIAL = 'io.modelcontextprotocol.registry/official';
interface Entry {
  server: Record<string, unknown> & { name: string; version: string };
  _meta: Record<string, Record<string, unknown>>;
}

const listAll = (gw: TestGateway, path: string) => listAllRows<Entry>(gw, path.includes('?') ? path : `${path}?include_deleted=true`);

/** What a downstream must reproduce: body, status, message, publishedAt and isLatest of every row. */
function view(entries: Entry[]): string[] {
  return entries.map((e) => {
    const o = e._meta[OFFICIAL] ?? {};
    return JSON.stringify([e.server, o.status, o.statusMessage ?? null, o.publishedAt, o.isLatest]);
  });
}

function assertSameRows(actual: string[], expected: string[], label: string): void {
  const n = Math.max(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    if (actual[i] !== expected[i]) assert.fail(`${label}: row ${i} differs (${actual.length} vs ${expected.length} rows)\n  got:  ${actual[i]}\n  want: ${expected[i]}`);
  }
}

describe('chaining: a gateway syncing from another gateway converges to its listing', () => {
  let redis: TestRedis;
  let upstream: FakeUpstream;
  let a: TestGateway;
  let b: TestGateway;
  const sync = { pageSize: 40, maxRequestsPerSecond: 1000, safetyMargin: '1ms', interval: '1h' };

  before(async () => {
    redis = await startTestRedis();
    upstream = await startFakeUpstream(corpus(60, 4));
    a = await startTestGateway({
      redisUrl: redis.url,
      prefix: redis.prefix(),
      // role api: no scheduler, so the test drives every run itself.
      role: 'api',
      raw: { registries: [{ name: 'up', type: 'upstream', url: upstream.url, sync }] },
    });
    await a.upstreams.get('up')?.run({ full: true });
    b = await startTestGateway({
      redisUrl: redis.url,
      prefix: redis.prefix(),
      role: 'api',
      raw: {
        registries: [
          { name: 'from-aggregate', type: 'upstream', url: a.url, sync },
          { name: 'from-registry', type: 'upstream', url: `${a.url}/up/v0.1`, sync },
        ],
      },
    });
  });
  after(async () => {
    await b?.close();
    await a?.close();
    await upstream?.close();
    await redis?.stop();
  });

  async function syncB(full = false) {
    const s1 = await b.upstreams.get('from-aggregate')?.run({ full });
    const s2 = await b.upstreams.get('from-registry')?.run({ full });
    return [s1, s2];
  }

  it('converges after the first (full) sync', async () => {
    await syncB(true);
    const expected = view(await listAll(a, '/v0.1/servers'));
    assert.ok(expected.length > 100);
    assertSameRows(view(await listAll(b, '/from-aggregate/v0.1/servers')), expected, 'aggregate');
    assertSameRows(view(await listAll(b, '/from-registry/v0.1/servers')), expected, 'per-registry');
  });

  it('converges incrementally after publishes, isLatest flips, deprecations and deletions upstream', async () => {
    upstream.registry.publish(server('io.example.n0005/server-5', '7.0.0'));
    upstream.registry.publish(server('io.example.n0006/server-6', '1.3.6-alpha'));
    upstream.registry.setStatus('io.example.n0007/server-0', '1.0.7', 'deprecated', 'moved');
    upstream.registry.setStatus('io.example.n0009/server-2', '1.0.9', 'deleted');
    upstream.registry.publish(server('io.example.new/brand-new', '0.1.0'));
    const ra = await a.upstreams.get('up')?.run();
    assert.equal(ra?.lastRunMode, 'incremental');

    const [s1, s2] = await syncB();
    assert.equal(s1?.lastRunMode, 'incremental');
    assert.equal(s2?.lastRunMode, 'incremental');
    assert.ok((s1?.entriesSeen as number) < 20, `asked only for changes, got ${String(s1?.entriesSeen)}`);

    const expected = view(await listAll(a, '/v0.1/servers'));
    assertSameRows(view(await listAll(b, '/from-aggregate/v0.1/servers')), expected, 'aggregate');
    assertSameRows(view(await listAll(b, '/from-registry/v0.1/servers')), expected, 'per-registry');
    const demoted = (await b.json<Entry>('/from-aggregate/v0.1/servers/io.example.n0005%2Fserver-5/versions/1.1.5')).body;
    assert.equal(demoted._meta[OFFICIAL]?.isLatest, false);
  });
});

describe('chaining the aggregated view across an ownership change', () => {
  let redis: TestRedis;
  let a: TestGateway;
  let b: TestGateway;
  const sync = { pageSize: 40, maxRequestsPerSecond: 1000, safetyMargin: '1ms', interval: '1h' };

  before(async () => {
    redis = await startTestRedis();
    const dir = tempDir();
    writeJson(dir, 'public.json', [server('com.acme/tool', '9.9.9'), server('com.acme/tool', '9.9.8'), server('io.github.other/x', '1.0.0')]);
    a = await startTestGateway({
      redisUrl: redis.url,
      prefix: redis.prefix(),
      dir,
      raw: {
        registries: [
          { name: 'internal', type: 'managed' },
          { name: 'public', type: 'file', path: 'public.json', watch: false },
        ],
        publish: { allowAnonymous: true },
      },
    });
    b = await startTestGateway({ redisUrl: redis.url, prefix: redis.prefix(), role: 'api', raw: { registries: [{ name: 'a', type: 'upstream', url: a.url, sync }] } });
    await b.upstreams.get('a')?.run({ full: true });
  });
  after(async () => {
    await b?.close();
    await a?.close();
    await redis?.stop();
  });

  it('an internal publish that takes a name over reaches downstreams as the new versions plus tombstones of the old ones', async () => {
    assert.deepEqual((await listAll(b, '/v0.1/servers')).map((e) => `${e.server.name}@${e.server.version}`), ['com.acme/tool@9.9.8', 'com.acme/tool@9.9.9', 'io.github.other/x@1.0.0']);
    const since = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    const pub = await a.get('/internal/v0.1/publish', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...server('com.acme/tool', '1.0.0'), $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json' }),
    });
    assert.equal(pub.status, 200);

    const feed = (await a.json<{ servers: Entry[] }>(`/v0.1/servers?updated_since=${since}`)).body.servers;
    assert.deepEqual(
      feed.map((e) => `${e.server.name}@${e.server.version}:${String(e._meta[OFFICIAL]?.status)}`),
      ['com.acme/tool@1.0.0:active', 'com.acme/tool@9.9.8:deleted', 'com.acme/tool@9.9.9:deleted'],
    );

    const s = await b.upstreams.get('a')?.run();
    assert.equal(s?.lastRunMode, 'incremental');
    const visible = (await listAll(b, '/v0.1/servers?include_deleted=false')).map((e) => `${e.server.name}@${e.server.version}`);
    const upstream = (await listAll(a, '/v0.1/servers?include_deleted=false')).map((e) => `${e.server.name}@${e.server.version}`);
    assert.deepEqual(visible, upstream);
    assert.deepEqual(visible, ['com.acme/tool@1.0.0', 'io.github.other/x@1.0.0']);
    const latest = (await b.json<Entry>('/v0.1/servers/com.acme%2Ftool/versions/latest')).body;
    assert.equal(latest.server.version, '1.0.0', 'the public 9.9.9 does not become latest downstream');
  });
});
