import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CatalogWriter } from '../../../src/catalog/CatalogWriter.js';
import { Keys } from '../../../src/catalog/keys.js';
import { server } from '../../helpers/corpus.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { startTestIdp, type TestIdp } from '../../helpers/idp.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';
import { eventually } from '../../helpers/wait.js';
import { startReceiver, type TestReceiver } from './receiver.js';

const SCHEMA = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';
const SECRET = `whsec_${randomBytes(24).toString('base64')}`;

interface Summary {
  name: string;
  state: string;
  position?: string;
  lagMs: number;
  pending?: { attempts: number; lastError: string };
  deliveries: Array<{ status: string; attempt: number; httpStatus?: number; error?: string; lagMs: number }>;
}

describe('webhooks: two API replicas and a worker', () => {
  let redis: TestRedis;
  let idp: TestIdp;
  let receiver: TestReceiver;
  let store: CatalogWriter;
  const gws: TestGateway[] = [];
  let tokens: Record<string, string>;

  const api = () => gws[0] as TestGateway;
  const publish = async (name: string, version: string) => {
    const res = await api().get('/internal/v0.1/publish', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.platform}` },
      body: JSON.stringify({ ...server(name, version), $schema: SCHEMA }),
    });
    assert.equal(res.status, 200, await res.text());
  };
  const hooks = async (): Promise<Summary[]> => {
    const res = await (gws[1] as TestGateway).get('/v0.1/webhooks', { headers: { authorization: `Bearer ${tokens.admin}` } });
    assert.equal(res.status, 200);
    return ((await res.json()) as { webhooks: Summary[] }).webhooks;
  };
  const hook = async (name: string) => (await hooks()).find((h) => h.name === name) as Summary;
  const names = (path: string) => receiver.accepted(path).map((r) => (JSON.parse(r.body) as { data: { server: { name: string; version: string } } }).data.server);

  before(async () => {
    redis = await startTestRedis();
    idp = await startTestIdp([
      { id: 'platform-bot', secret: 's1', groups: ['platform'] },
      { id: 'admin', secret: 's3', groups: ['registry-admins'] },
    ]);
    tokens = { platform: await idp.token('platform-bot'), admin: await idp.token('admin') };
    receiver = await startReceiver(SECRET);
    const prefix = redis.prefix();
    store = new CatalogWriter(redis.client(), new Keys(prefix), { maxVersionsPerName: 1000, tombstoneRetentionMs: 7 * 86_400_000 });
    const raw = {
      registries: [{ name: 'internal', type: 'managed' }],
      auth: { mode: 'oidc', oidc: { issuer: idp.issuer, audience: idp.audience } },
      access: {
        admins: ['registry-admins'],
        rules: [
          { groups: ['$anonymous'], registries: ['internal'], servers: ['io.pub/*'] },
          { groups: ['platform'], registries: ['internal'], publish: ['*'] },
        ],
      },
      webhooks: [
        { name: 'mirror', url: `${receiver.url}/mirror`, secretEnv: 'HOOK_SECRET', as: ['platform'], maxBackoff: '1s' },
        { name: 'anon', url: `${receiver.url}/anon`, secretEnv: 'HOOK_SECRET', maxBackoff: '1s', timeout: '2s' },
      ],
      worker: { concurrency: 1, lockDuration: '5s', stalledInterval: '2s' },
    };
    const env = { HOOK_SECRET: SECRET };
    for (const role of ['api', 'api', 'worker'] as const) gws.push(await startTestGateway({ redisUrl: redis.url, prefix, role, raw, env }));
    await eventually(async () => (await hooks()).every((h) => h.position !== undefined), 10_000, 'receivers initialised');
  });
  after(async () => {
    for (const g of gws) await g.close().catch(() => undefined);
    await receiver?.stop();
    await idp?.close();
    await redis?.stop();
  });

  it('delivers each change, signed (Standard Webhooks), in change order; the anonymous receiver never sees invisible names', async () => {
    await publish('io.pub/a', '1.0.0');
    await publish('io.secret/b', '1.0.0');
    await publish('io.pub/c', '1.0.0');
    await eventually(async () => receiver.accepted('/mirror').length >= 3 && receiver.accepted('/anon').length >= 2, 10_000, 'deliveries');
    assert.deepEqual(names('/mirror').map((s) => s.name), ['io.pub/a', 'io.secret/b', 'io.pub/c']);
    assert.deepEqual(names('/anon').map((s) => s.name), ['io.pub/a', 'io.pub/c']);
    for (const r of receiver.received) {
      assert.ok(r.verified, 'signature verifies');
      assert.ok(Math.abs(r.timestamp - Date.now() / 1000) < 60);
      const body = JSON.parse(r.body) as { type: string; timestamp: string; position: string; data: { _meta: Record<string, unknown> } };
      assert.equal(body.type, 'server.changed');
      assert.ok(!Number.isNaN(Date.parse(body.timestamp)));
      assert.ok(body.data._meta['io.modelcontextprotocol.registry/official']);
    }
  });

  it('a receiver answering 500 for a while, then 200: nothing lost, order kept, attempts and last error visible to admins', async () => {
    receiver.failures['/mirror'] = 4;
    const before = receiver.accepted('/mirror').length;
    for (let i = 0; i < 6; i++) await publish(`io.pub/retry-${i}`, '1.0.0');
    const failing = await eventually(async () => {
      const h = await hook('mirror');
      return h.pending && h.pending.attempts >= 2 ? h : undefined;
    }, 15_000, 'a failing receiver shows its pending message');
    assert.match(failing.pending?.lastError ?? '', /HTTP 500/);
    assert.ok(failing.lagMs > 0);
    assert.ok(failing.deliveries.some((d) => d.status === 'failed' && d.httpStatus === 500));
    await eventually(async () => receiver.accepted('/mirror').length >= before + 6, 20_000, 'all delivered after recovery');
    assert.deepEqual(names('/mirror').slice(before).map((s) => s.name), [0, 1, 2, 3, 4, 5].map((i) => `io.pub/retry-${i}`));
    const ids = receiver.accepted('/mirror').map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, 'each change accepted once');
    const done = await eventually(async () => {
      const h = await hook('mirror');
      return h.pending === undefined && h.lagMs === 0 ? h : undefined;
    }, 5000, 'caught up');
    assert.equal(done.deliveries[0]?.status, 'delivered');
  });

  it('a receiver that is down, then up: catches up in order', async () => {
    await receiver.stop();
    const before = receiver.accepted('/anon').length;
    for (let i = 0; i < 4; i++) await publish(`io.pub/down-${i}`, '1.0.0');
    await eventually(async () => {
      const h = await hook('anon');
      return h.pending && /ECONNREFUSED|delivery failed/.test(h.pending.lastError) ? h : undefined;
    }, 15_000, 'the down receiver shows connection failures');
    await receiver.start();
    await eventually(async () => receiver.accepted('/anon').length >= before + 4, 20_000, 'caught up after coming back');
    assert.deepEqual(names('/anon').slice(before).map((s) => s.name), [0, 1, 2, 3].map((i) => `io.pub/down-${i}`));
  });

  it('admins redeliver from a time; others get 403, anonymous 401', async () => {
    const t = new Date(Date.now() - 1).toISOString();
    await publish('io.pub/redo', '1.0.0');
    await eventually(async () => names('/anon').some((s) => s.name === 'io.pub/redo'), 10_000, 'delivered once');
    const count = names('/anon').filter((s) => s.name === 'io.pub/redo').length;
    const res = await api().get('/v0.1/webhooks/anon/redeliver', {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ updated_since: t }),
    });
    assert.equal(res.status, 202);
    await eventually(async () => names('/anon').filter((s) => s.name === 'io.pub/redo').length === count + 1, 10_000, 'redelivered');
    assert.equal((await api().get('/v0.1/webhooks')).status, 401);
    assert.equal((await api().get('/v0.1/webhooks', { headers: { authorization: `Bearer ${tokens.platform}` } })).status, 403);
    const missing = await api().get('/v0.1/webhooks/nope/redeliver', { method: 'POST', headers: { authorization: `Bearer ${tokens.admin}` } });
    assert.equal(missing.status, 404);
    assert.match(String(missing.headers.get('content-type')), /problem\+json/);
  });

  it('measures webhook delivery latency: publish -> signed POST received (p50/p99)', async () => {
    const n = 40;
    const started = new Map<string, number>();
    const before = receiver.accepted('/mirror').length;
    for (let i = 0; i < n; i++) {
      const name = `io.pub/lat-${String(i).padStart(3, '0')}`;
      started.set(name, performance.now());
      await publish(name, '1.0.0');
      await eventually(async () => receiver.accepted('/mirror').length >= before + i + 1, 10_000, `delivery ${i}`);
    }
    const lat = receiver
      .accepted('/mirror')
      .slice(before)
      .map((r) => r.at - (started.get((JSON.parse(r.body) as { data: { server: { name: string } } }).data.server.name) as number))
      .sort((a, b) => a - b);
    const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))] as number;
    console.log(`# webhook delivery latency publish -> POST received (n=${n}): p50 ${pct(50).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms`);
    assert.equal(lat.length, n);
  });

  it('invisible names written by any path never reach the anonymous receiver', async () => {
    await store.upsert('internal', new Map([['io.hidden/z', [{ server: server('io.hidden/z', '1.0.0') }]]]));
    await publish('io.pub/after-hidden', '1.0.0');
    await eventually(async () => names('/anon').some((s) => s.name === 'io.pub/after-hidden'), 10_000, 'later change delivered');
    await eventually(async () => names('/mirror').some((s) => s.name === 'io.hidden/z'), 10_000, 'platform view receives it');
    assert.ok(!names('/anon').some((s) => !s.name.startsWith('io.pub/')));
  });
});
