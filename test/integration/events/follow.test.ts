import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { corpus, server } from '../../helpers/corpus.js';
import { startFakeUpstream, type FakeUpstream } from '../../helpers/fakeUpstream.js';
import { listAll, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';
import { eventually } from '../../helpers/wait.js';

const SCHEMA = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';

interface Item {
  server: { name: string; version: string };
  _meta: Record<string, { status?: string; isLatest?: boolean }>;
}
const OFFICIAL = 'io.modelcontextprotocol.registry/official';
const key = (i: Item) => `${i.server.name}@${i.server.version}:${i._meta[OFFICIAL]?.status}:${i._meta[OFFICIAL]?.isLatest}`;

describe('follow mode (sync.follow: events): a gateway following another gateway', () => {
  let redis: TestRedis;
  let upstream: FakeUpstream;
  const gws: TestGateway[] = [];

  before(async () => {
    redis = await startTestRedis();
    upstream = await startFakeUpstream(corpus(5, 2));
  });
  after(async () => {
    for (const g of gws.reverse()) await g.close().catch(() => undefined);
    await upstream?.close();
    await redis?.stop();
  });

  const publish = async (gw: TestGateway, name: string, version: string) => {
    const res = await gw.get('/internal/v0.1/publish', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...server(name, version), $schema: SCHEMA }) });
    assert.equal(res.status, 200, await res.text());
  };

  it('converges in about a second, with no polling (sync.interval 1h), including status changes', async () => {
    const a = await startTestGateway({ redisUrl: redis.url, prefix: redis.prefix(), raw: { registries: [{ name: 'internal', type: 'managed' }], publish: { allowAnonymous: true } } });
    gws.push(a);
    await publish(a, 'io.chain/before', '1.0.0');
    const b = await startTestGateway({
      redisUrl: redis.url,
      prefix: redis.prefix(),
      raw: {
        registries: [{ name: 'a', type: 'upstream', url: a.url, sync: { follow: 'events', interval: '1h', maxRequestsPerSecond: 1000 } }],
        access: { admins: ['$anonymous'] },
      },
    });
    gws.push(b);
    await eventually(async () => (await b.json<{ syncStatus: { phase: string } }>('/v0.1/registries/a')).body.syncStatus.phase === 'complete', 10_000, 'first sync');
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    for (let i = 0; i < 10; i++) await publish(a, `io.chain/n${i}`, '1.0.0');
    await publish(a, 'io.chain/n0', '1.1.0');
    const status = await a.get(`/internal/v0.1/servers/${encodeURIComponent('io.chain/n1')}/versions/1.0.0/status`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'deprecated' }),
    });
    assert.ok(status.status < 300, await status.text());
    const want = (await listAll<Item>(a, '/v0.1/servers?include_deleted=true')).map(key).sort();
    await eventually(async () => {
      const got = (await listAll<Item>(b, '/v0.1/servers?include_deleted=true')).map(key).sort();
      return JSON.stringify(got) === JSON.stringify(want);
    }, 5000, 'B converges to A');
    const ms = Date.now() - t0;
    console.log(`# follow mode: 12 changes on A visible on B after ${ms} ms (from the first publish)`);
    assert.ok(ms < 5000);
  });

  it('an upstream without an events stream: the follower falls back to updated_since polling', async () => {
    const c = await startTestGateway({
      redisUrl: redis.url,
      prefix: redis.prefix(),
      raw: { registries: [{ name: 'plain', type: 'upstream', url: upstream.url, sync: { follow: 'events', interval: '1s', safetyMargin: '1ms', maxRequestsPerSecond: 1000 } }] },
    });
    gws.push(c);
    const names = async () => new Set((await listAll<Item>(c, '/v0.1/servers')).map((i) => i.server.name)).size;
    await eventually(async () => (await names()) === 5, 10_000, 'initial sync');
    upstream.registry.publish(server('io.example.late/one', '1.0.0'));
    await eventually(async () => (await names()) === 6, 10_000, 'polled change');
  });
});
