import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { server } from '../../helpers/corpus.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';
import { openStream, row, type TestStream, type WireEvent } from './sseClient.js';

const SCHEMA = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

describe('change events across two API replicas and a worker', () => {
  let redis: TestRedis;
  const gws: TestGateway[] = [];
  const streams: TestStream[] = [];
  let oldId: string | undefined;

  const raw = (events: Record<string, unknown> = {}) => ({
    registries: [{ name: 'internal', type: 'managed' }],
    publish: { allowAnonymous: true },
    events: { heartbeat: '2s', ...events },
  });
  const publish = async (gw: TestGateway, name: string) => {
    const res = await gw.get('/internal/v0.1/publish', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...server(name, '1.0.0'), $schema: SCHEMA }) });
    assert.equal(res.status, 200, await res.text());
  };
  const open = async (url: string, headers: Record<string, string> = {}) => {
    const s = await openStream(url, headers);
    streams.push(s);
    assert.equal(s.status, 200, s.body);
    return s;
  };

  before(async () => {
    redis = await startTestRedis();
    const prefix = redis.prefix();
    gws.push(await startTestGateway({ redisUrl: redis.url, prefix, role: 'api', raw: raw() }));
    gws.push(await startTestGateway({ redisUrl: redis.url, prefix, role: 'api', raw: raw() }));
    gws.push(await startTestGateway({ redisUrl: redis.url, prefix, role: 'worker', raw: raw() }));
    gws.push(await startTestGateway({ redisUrl: redis.url, prefix, role: 'api', raw: raw({ retention: '1s' }) }));
  });
  after(async () => {
    for (const s of streams) s.close();
    for (const g of gws) await g.close().catch(() => undefined);
    await redis?.stop();
  });

  it('reconnecting with Last-Event-ID to alternating replicas while changes happen: no gap, no duplicate, in order', async () => {
    const [one, two] = gws as [TestGateway, TestGateway];
    const t0 = new Date(Date.now() - 1).toISOString();
    const total = 60;
    const writer = (async () => {
      for (let i = 0; i < total; i++) {
        await publish(one, `io.rep/n-${String(i).padStart(3, '0')}`);
        if (i % 7 === 0) await new Promise((r) => setTimeout(r, 15));
      }
    })();
    const got: WireEvent[] = [];
    let last: string | undefined;
    for (let round = 0; got.length < total && round < 200; round++) {
      const target = round % 2 === 0 ? two : one;
      const s = await open(`${target.url}/v0.1/events${last ? '' : `?updated_since=${encodeURIComponent(t0)}`}`, last ? { 'last-event-id': last } : {});
      const want = Math.min(total - got.length, 1 + (round % 5));
      const events = await s.waitFor(want, 10_000);
      s.close();
      got.push(...events);
      last = events[events.length - 1]?.id;
    }
    await writer;
    const names = got.map((e) => row(e).server.name);
    assert.equal(new Set(names).size, names.length, 'no duplicates');
    assert.deepEqual(names, Array.from({ length: total }, (_, i) => `io.rep/n-${String(i).padStart(3, '0')}`), 'every change, in change order');
    oldId = got[0]?.id;
  });

  it('a position older than events.retention gets one `event: reset`, then the stream ends', async () => {
    assert.ok(oldId);
    await new Promise((r) => setTimeout(r, 1100));
    const s = await open(`${(gws[3] as TestGateway).url}/v0.1/events`, { 'last-event-id': oldId as string });
    await s.ended;
    assert.equal(s.events.length, 1);
    assert.equal(s.events[0]?.event, 'reset');
    assert.equal(JSON.parse(s.events[0]?.data as string).reason, 'position-expired');
  });

  it('measures event latency: publish on one replica -> data line on another (p50/p99)', async () => {
    const [one, two] = gws as [TestGateway, TestGateway];
    const s = await open(`${two.url}/v0.1/events`);
    const n = 100;
    const started: number[] = [];
    for (let i = 0; i < n; i++) {
      started.push(performance.now());
      await publish(one, `io.lat/n-${String(i).padStart(3, '0')}`);
      await s.waitFor(i + 1, 10_000);
      await new Promise((r) => setTimeout(r, 5));
    }
    const lat = s.events.slice(0, n).map((e, i) => e.at - (started[i] as number)).sort((a, b) => a - b);
    console.log(`# event latency publish -> data line (other replica, n=${n}): p50 ${percentile(lat, 50).toFixed(1)} ms, p99 ${percentile(lat, 99).toFixed(1)} ms`);
    assert.ok(percentile(lat, 50) < 1000);
  });
});
