import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { SyncStatus } from '../../../src/sync/SyncStatusStore.js';
import { corpus, server } from '../../helpers/corpus.js';
import { startFakeUpstream, type FakeUpstream } from '../../helpers/fakeUpstream.js';
import { listAll as listAllRows, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';

const OFFICIAL = 'io.modelcontextprotocol.registry/official';
interface Entry {
  server: { name: string; version: string; description: string };
  _meta: Record<string, { status: string; isLatest: boolean; updatedAt: string; statusMessage?: string }>;
}

const listAll = (gw: TestGateway, path: string) => listAllRows<Entry>(gw, path);

const key = (e: Entry) => `${e.server.name}@${e.server.version}`;

describe('upstream sync', () => {
  let redis: TestRedis;
  let upstream: FakeUpstream;
  let gw: TestGateway;
  let status: () => Promise<SyncStatus>;
  let run: (full?: boolean) => Promise<SyncStatus | undefined>;

  before(async () => {
    redis = await startTestRedis();
    upstream = await startFakeUpstream(corpus(120, 3));
    gw = await startTestGateway({
      redisUrl: redis.url,
      prefix: redis.prefix(),
      raw: {
        registries: [{ name: 'up', type: 'upstream', url: upstream.url, sync: { pageSize: 50, maxRequestsPerSecond: 500, timeout: '1s', interval: '1h', safetyMargin: '1ms', maxPages: 50, maxResponseBytes: 200000 }, auth: { tokenEnv: 'UP_TOKEN' } }],
        access: { admins: ['$anonymous'] },
      },
      env: { UP_TOKEN: 's3cret-token' },
    });
    const sync = gw.upstreams.get('up');
    assert.ok(sync);
    run = (full) => sync.run({ full: full === true }).catch(() => undefined);
    status = async () => ((await gw.json<{ syncStatus: SyncStatus }>('/v0.1/registries/up')).body.syncStatus);
    // The job scheduler starts a first sync right away; wait for it so runs below do not race it.
    for (let i = 0; i < 100 && (await status()).phase !== 'complete'; i++) await new Promise((r) => setTimeout(r, 50));
  });
  beforeEach(() => {
    upstream.fault = undefined;
  });
  after(async () => {
    await gw?.close();
    await upstream?.close();
    await redis?.stop();
  });

  it('the first sync is a full walk and mirrors the upstream exactly', async () => {
    const s = await status();
    assert.equal(s.phase, 'complete');
    assert.equal(s.lastRunMode, 'full');
    assert.equal(s.serverCount, 120);
    assert.equal(s.versionCount, upstream.registry.size);
    const first = upstream.requests[0];
    assert.equal(first?.query.limit, '50');
    assert.equal(first?.query.include_deleted, 'true');
    assert.equal(first?.query.updated_since, undefined);
    assert.match(String(first?.headers['user-agent']), /^mcp-registry-gateway\//);
    const listed = (await listAll(gw, '/v0.1/servers')).map(key);
    const expected = upstream.registry.all().map((r) => `${r.server.name}@${r.server.version}`).sort();
    assert.deepEqual(listed, expected);
  });

  it('later syncs ask only for what changed since the watermark', async () => {
    const before = upstream.requests.length;
    const watermark = (await status()).watermark;
    assert.equal(typeof watermark, 'string');
    const s = await run();
    assert.equal(s?.lastRunMode, 'incremental');
    const req = upstream.requests[before];
    assert.equal(req?.query.updated_since, watermark, 'sent updated_since=<watermark>');
    assert.equal(req?.query.limit, '50');
    assert.equal(upstream.requests.length - before, 1, 'nothing changed: one page');
    assert.equal(s?.changedCount, 0);
  });

  it('publish, deprecate, delete upstream → converge incrementally; the isLatest quirk is handled', async () => {
    const name = 'io.example.n0001/server-1';
    const oldLatest = (await gw.json<Entry>(`/v0.1/servers/${encodeURIComponent(name)}/versions/latest`)).body;
    upstream.registry.publish(server(name, '9.0.0'));
    upstream.registry.setStatus('io.example.n0002/server-2', '1.0.2', 'deprecated', 'use 9.x');
    upstream.registry.setStatus('io.example.n0003/server-3', '1.0.3', 'deleted');
    const s = await run();
    assert.equal(s?.lastRunMode, 'incremental');
    assert.equal(s?.phase, 'complete');

    const latest = (await gw.json<Entry>(`/v0.1/servers/${encodeURIComponent(name)}/versions/latest`)).body;
    assert.equal(latest.server.version, '9.0.0');
    const demoted = (await gw.json<Entry>(`/v0.1/servers/${encodeURIComponent(name)}/versions/${oldLatest.server.version}`)).body;
    assert.equal(demoted._meta[OFFICIAL]?.isLatest, false, 'old latest un-flagged although upstream did not bump its updatedAt');
    assert.ok(Date.parse(demoted._meta[OFFICIAL]?.updatedAt as string) > Date.parse(oldLatest._meta[OFFICIAL]?.updatedAt as string), 'its change time moved');
    const dep = (await gw.json<Entry>('/v0.1/servers/io.example.n0002%2Fserver-2/versions/1.0.2')).body;
    assert.equal(dep._meta[OFFICIAL]?.status, 'deprecated');
    assert.equal(dep._meta[OFFICIAL]?.statusMessage, 'use 9.x');
    assert.equal((await gw.json('/v0.1/servers/io.example.n0003%2Fserver-3/versions/1.0.3')).status, 404);
    const tomb = (await gw.json<Entry>('/v0.1/servers/io.example.n0003%2Fserver-3/versions/1.0.3?include_deleted=true')).body;
    assert.equal(tomb._meta[OFFICIAL]?.status, 'deleted');
  });

  it('a full resync removes entries that vanished upstream; incremental syncs never do', async () => {
    upstream.registry.remove('io.example.n0004/server-4', '1.0.4');
    await run();
    assert.equal((await gw.json('/v0.1/servers/io.example.n0004%2Fserver-4/versions/1.0.4')).status, 200, 'incremental keeps it');
    const s = await run(true);
    assert.equal(s?.lastRunMode, 'full');
    assert.equal(s?.removedCount, 1);
    assert.equal((await gw.json('/v0.1/servers/io.example.n0004%2Fserver-4/versions/1.0.4')).status, 404);
    const listed = await listAll(gw, '/v0.1/servers?include_deleted=true');
    // The removed version stays as a tombstone (until catalog.tombstoneRetention) so that downstreams
    // polling updated_since learn of the removal.
    const removed = listed.filter((e) => key(e) === 'io.example.n0004/server-4@1.0.4');
    assert.equal(removed.length, 1);
    assert.equal(removed[0]?._meta[OFFICIAL]?.status, 'deleted');
    assert.deepEqual(listed.map(key).sort(), [...upstream.registry.all().map((r) => `${r.server.name}@${r.server.version}`), 'io.example.n0004/server-4@1.0.4'].sort());
  });

  const faults: Array<[string, () => void, RegExp]> = [
    ['HTTP 500s', () => (upstream.fault = { kind: 'status', status: 500, times: 100 }), /HTTP 500 \(after 2 attempts\)/],
    ['timeouts', () => (upstream.fault = { kind: 'delay', ms: 1500 }), /did not answer within sync\.timeout/],
    ['malformed JSON', () => (upstream.fault = { kind: 'malformed' }), /malformed JSON/],
    ['a cursor loop', () => (upstream.fault = { kind: 'cursorLoop' }), /repeated a pagination cursor/],
    ['an oversize response', () => (upstream.fault = { kind: 'oversize', bytes: 300_000 }), /exceeds the 200000-byte cap/],
    ['endless pages', () => (upstream.fault = { kind: 'endlessPages' }), /more than 50 pages/],
  ];
  for (const [label, inject, message] of faults) {
    it(`${label}: last good data still served, status failed with the reason, recovery afterwards`, async () => {
      const before = (await listAll(gw, '/v0.1/servers?include_deleted=true')).map(key);
      const prior = await status();
      inject();
      await run(true);
      const failed = await status();
      assert.equal(failed.phase, 'failed');
      assert.match(failed.message ?? '', message);
      assert.equal(failed.attemptCount, prior.attemptCount + 1);
      assert.equal(failed.lastSyncTime, prior.lastSyncTime, 'lastSyncTime is the last success');
      assert.deepEqual((await listAll(gw, '/v0.1/servers?include_deleted=true')).map(key), before, 'nothing removed or corrupted');
      await run(true);
      const again = await status();
      assert.equal(again.attemptCount, prior.attemptCount + 2, 'consecutive failures count');
      upstream.fault = undefined;
      const ok = await run();
      assert.equal(ok?.phase, 'complete');
      assert.equal(ok?.attemptCount, 0);
    });
  }

  it('429 with Retry-After is obeyed, then the sync succeeds', async () => {
    upstream.fault = { kind: 'status', status: 429, times: 1, headers: { 'Retry-After': '1' } };
    const start = Date.now();
    const s = await run();
    assert.equal(s?.phase, 'complete');
    assert.ok(Date.now() - start >= 950, 'waited for Retry-After');
  });

  it('transient 500s are retried with backoff within one run', async () => {
    upstream.fault = { kind: 'status', status: 502, times: 1 };
    const s = await run();
    assert.equal(s?.phase, 'complete');
  });

  it('an invalid entry is skipped and counted, not fatal', async () => {
    upstream.fault = { kind: 'invalidEntry' };
    const s = await run(true);
    assert.equal(s?.phase, 'complete');
    assert.ok((s?.skippedCount ?? 0) >= 1);
    assert.match(s?.message ?? '', /invalid entr(y|ies) skipped \(first: entry 0 not a valid name/);
    assert.equal(s?.removedCount, 0);
  });

  it('a 400 on a later page of an incremental sync is a failure, not a reason to stop asking for updated_since', async () => {
    for (let i = 0; i < 60; i++) upstream.registry.publish(server(`io.example.later/page-${String(i).padStart(2, '0')}`, '1.0.0'));
    upstream.fault = { kind: 'status', status: 400, times: 10, onlyWithCursor: true };
    await run();
    const failed = await status();
    assert.equal(failed.phase, 'failed');
    assert.match(failed.message ?? '', /HTTP 400/);
    assert.notEqual(failed.updatedSinceSupported, false);
    upstream.fault = undefined;
    const ok = await run();
    assert.equal(ok?.phase, 'complete');
    assert.equal(ok?.lastRunMode, 'incremental');
  });

  it('an upstream that rejects updated_since falls back to full syncs and remembers it', async () => {
    upstream.fault = { kind: 'rejectUpdatedSince' };
    const s = await run();
    assert.equal(s?.phase, 'complete');
    assert.equal(s?.lastRunMode, 'full');
    assert.equal(s?.updatedSinceSupported, false);
    const before = upstream.requests.length;
    await run();
    assert.equal(upstream.requests[before]?.query.updated_since, undefined, 'does not try updated_since again');
  });

  it('the bearer token from auth.tokenEnv is sent upstream and never shown in status', async () => {
    assert.ok(upstream.requests.length > 0);
    for (const r of upstream.requests) assert.equal(r.headers.authorization, 'Bearer s3cret-token');
    const all = await gw.get('/v0.1/registries');
    assert.doesNotMatch(await all.text(), /s3cret/);
  });
});
