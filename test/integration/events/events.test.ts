import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { CatalogWriter } from '../../../src/catalog/CatalogWriter.js';
import { Keys } from '../../../src/catalog/keys.js';
import { server } from '../../helpers/corpus.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';
import { eventually } from '../../helpers/wait.js';
import { openStream, row, type TestStream, type WireEvent } from './sseClient.js';

const SCHEMA = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';
const OFFICIAL = 'io.modelcontextprotocol.registry/official';

describe('change events (GET /v0.1/events): one API process', () => {
  let redis: TestRedis;
  let gw: TestGateway;
  let store: CatalogWriter;
  const streams: TestStream[] = [];

  const open = async (path: string, headers: Record<string, string> = {}) => {
    const s = await openStream(gw.url + path, headers);
    streams.push(s);
    return s;
  };
  const publish = async (name: string, version: string, registry = 'internal') => {
    const res = await gw.get(`/${registry}/v0.1/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...server(name, version), $schema: SCHEMA }) });
    assert.equal(res.status, 200, await res.text());
  };

  /** A write no anonymous caller may make, straight through the store's write path. */
  const writeHidden = async (name: string, version: string) => {
    await store.upsert('hidden', new Map([[name, [{ server: server(name, version) }]]]));
  };

  before(async () => {
    redis = await startTestRedis();
    const prefix = redis.prefix();
    store = new CatalogWriter(redis.client(), new Keys(prefix), { maxVersionsPerName: 1000, tombstoneRetentionMs: 7 * 86_400_000 });
    gw = await startTestGateway({
      redisUrl: redis.url,
      prefix,
      raw: {
        registries: [
          { name: 'internal', type: 'managed' },
          { name: 'hidden', type: 'managed' },
        ],
        access: {
          admins: ['ops'],
          rules: [{ groups: ['$anonymous'], registries: ['internal'], servers: ['io.pub/*'] }],
        },
        publish: { allowAnonymous: true },
        events: { heartbeat: '1s', maxSubscribers: 5, retention: '1h' },
      },
    });
  });
  let closed = false;
  afterEach(async () => {
    for (const s of streams.splice(0)) s.close();
    if (closed) return;
    await eventually(async () => (await (await gw.get('/metrics')).text()).includes('mcpgw_events_subscribers 0'), 5000, 'streams closed');
  });
  after(async () => {
    for (const s of streams) s.close();
    if (!closed) await gw?.close();
    await redis?.stop();
  });

  it('streams each change as `event: server` with the row exactly as the detail route shows it, ids increasing', async () => {
    const s = await open('/v0.1/events');
    assert.equal(s.status, 200);
    assert.match(String(s.headers['content-type']), /^text\/event-stream/);
    await publish('io.pub/alpha', '1.0.0');
    await publish('io.pub/beta', '1.0.0');
    await publish('io.pub/alpha', '1.1.0');
    const events = await s.waitFor(4);
    // alpha 1.1.0 also flips alpha 1.0.0's isLatest: both rows change.
    const keys = events.map((e) => `${row(e).server.name}@${row(e).server.version}`);
    assert.deepEqual(keys.slice(0, 2), ['io.pub/alpha@1.0.0', 'io.pub/beta@1.0.0']);
    assert.deepEqual(new Set(keys.slice(2)), new Set(['io.pub/alpha@1.0.0', 'io.pub/alpha@1.1.0']));
    for (const e of events) assert.equal(e.event, 'server');
    for (let i = 1; i < events.length; i++) assert.notEqual(events[i]?.id, events[i - 1]?.id);
    const last = events[events.length - 1] as WireEvent;
    const r = row(last);
    const detail = await gw.get(`/v0.1/servers/${encodeURIComponent(r.server.name)}/versions/${r.server.version}?include_deleted=true`);
    assert.equal(last.data, await detail.text(), 'data is byte-identical to the detail route for this caller');
  });

  it('never shows an anonymous subscriber invisible names or registries (404 problem+json for an invisible registry)', async () => {
    const agg = await open('/v0.1/events');
    const reg = await open('/internal/v0.1/events');
    const hidden = await open('/hidden/v0.1/events');
    assert.equal(hidden.status, 404);
    assert.match(String(hidden.headers['content-type']), /application\/problem\+json/);
    assert.equal(JSON.parse(hidden.body).status, 404);
    // A name anonymous cannot see, written straight through the catalogue (anonymous may not
    // publish a name it cannot see: that write is a 404).
    await store.upsert('internal', new Map([['io.secret/x', [{ server: server('io.secret/x', '1.0.0') }]]]));
    await writeHidden('io.pub/zz', '1.0.0');
    await publish('io.pub/gamma', '1.0.0');
    const [a] = await agg.waitFor(1);
    const [b] = await reg.waitFor(1);
    assert.equal(row(a as WireEvent).server.name, 'io.pub/gamma');
    assert.equal(row(b as WireEvent).server.name, 'io.pub/gamma');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(agg.events.length, 1, JSON.stringify(agg.events.map((e) => row(e).server.name)));
    assert.equal(reg.events.length, 1);
  });

  it('resumes with Last-Event-ID or ?since= without gaps or duplicates; ?updated_since= starts from a time', async () => {
    const t0 = new Date(Date.now() - 1).toISOString();
    const s = await open('/v0.1/events');
    for (let i = 0; i < 6; i++) await publish(`io.pub/resume-${i}`, '1.0.0');
    const first = await s.waitFor(6);
    s.close();
    const cut = first[2] as WireEvent;
    const resumed = await open('/v0.1/events', { 'last-event-id': cut.id as string });
    const again = await resumed.waitFor(3);
    assert.deepEqual(again.map((e) => e.id), first.slice(3).map((e) => e.id));
    const bySince = await open(`/v0.1/events?since=${encodeURIComponent(cut.id as string)}`);
    assert.deepEqual((await bySince.waitFor(3)).map((e) => e.id), first.slice(3).map((e) => e.id));
    const byTime = await open(`/v0.1/events?updated_since=${encodeURIComponent(t0)}`);
    assert.deepEqual((await byTime.waitFor(6)).map((e) => e.data), first.map((e) => e.data));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(resumed.events.length, 3, 'no duplicates after the resume point');
  });

  it('rejects a foreign position and a bad updated_since with 400 problem+json', async () => {
    const bad = await open('/v0.1/events?since=not-a-position');
    assert.equal(bad.status, 400);
    assert.match(String(bad.headers['content-type']), /application\/problem\+json/);
    const badTime = await open('/v0.1/events?updated_since=yesterday');
    assert.equal(badTime.status, 400);
    assert.match(JSON.parse(badTime.body).detail, /RFC3339/);
  });

  it('sends heartbeat comments on an idle stream', async () => {
    const s = await open('/v0.1/events');
    await eventually(async () => s.comments.length >= 1, 5000, 'a heartbeat comment');
  });

  it('answers 503 problem+json past events.maxSubscribers', async () => {
    const held = await Promise.all([1, 2, 3, 4, 5].map(() => open('/v0.1/events')));
    assert.ok(held.every((s) => s.status === 200));
    const over = await open('/v0.1/events');
    assert.equal(over.status, 503);
    assert.equal(over.headers['retry-after'], '5');
    assert.match(JSON.parse(over.body).detail, /maxSubscribers/);
  });

  it('ends every stream cleanly on shutdown (clients reconnect elsewhere)', async () => {
    const s = await open('/v0.1/events');
    const t0 = Date.now();
    closed = true;
    await gw.close();
    await s.ended;
    assert.ok(Date.now() - t0 < 1500, `streams ended within ${Date.now() - t0} ms`);
  });
});

export { OFFICIAL };
