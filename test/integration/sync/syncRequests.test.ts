import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SyncStatus } from '../../../src/sync/SyncStatusStore.js';
import { corpus } from '../../helpers/corpus.js';
import { startFakeUpstream, type Fault, type FakeUpstream } from '../../helpers/fakeUpstream.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';
import { eventually } from '../../helpers/wait.js';

/**
 * Issue 9 point 3: every 202 from `POST /v0.1/registries/{r}/sync[?full=true]` leads to a run whose
 * outcome shows in syncStatus within 30 s while the worker is idle, whatever failed before. Runs
 * with the default worker settings (job locks, stalled checks) so the bound is the real one.
 */
describe('no accepted sync request is lost', () => {
  let redis: TestRedis;
  let upstream: FakeUpstream;
  let gw: TestGateway;

  before(async () => {
    redis = await startTestRedis();
    upstream = await startFakeUpstream(corpus(40, 2));
    gw = await startTestGateway({
      redisUrl: redis.url,
      prefix: redis.prefix(),
      raw: {
        registries: [{ name: 'up', type: 'upstream', url: upstream.url, sync: { pageSize: 20, maxRequestsPerSecond: 1000, timeout: '1s', interval: '1h', safetyMargin: '1ms', maxPages: 20, maxResponseBytes: 100_000 } }],
        access: { admins: ['$anonymous'] },
      },
    });
    await eventually(async () => (await status()).phase === 'complete', 20_000, 'first sync');
  });
  after(async () => {
    await gw?.close();
    await upstream?.close();
    await redis?.stop();
  });

  async function status(): Promise<SyncStatus> {
    return (await gw.json<{ syncStatus: SyncStatus }>('/v0.1/registries/up')).body.syncStatus;
  }

  /** POSTs a sync request and waits until a run that started after it has finished. */
  async function requestAndAwaitRun(query: string, timeoutMs: number): Promise<SyncStatus> {
    const asked = new Date().toISOString();
    const r = await gw.get(`/v0.1/registries/up/sync${query}`, { method: 'POST' });
    assert.equal(r.status, 202);
    return eventually(async () => {
      const st = await status();
      return st.phase !== 'syncing' && typeof st.lastAttempt === 'string' && st.lastAttempt >= asked ? st : undefined;
    }, timeoutMs, `a run after POST sync${query} at ${asked}`);
  }

  const faults: Array<[string, Fault, 'failed' | 'complete']> = [
    ['HTTP 500s', { kind: 'status', status: 500, times: 1000 }, 'failed'],
    ['timeouts', { kind: 'delay', ms: 1500 }, 'failed'],
    ['malformed JSON', { kind: 'malformed' }, 'failed'],
    ['a cursor loop', { kind: 'cursorLoop' }, 'failed'],
    ['an oversize response', { kind: 'oversize', bytes: 200_000 }, 'failed'],
    ['endless pages', { kind: 'endlessPages' }, 'failed'],
    ['updated_since rejected', { kind: 'rejectUpdatedSince' }, 'complete'],
    ['an invalid entry', { kind: 'invalidEntry' }, 'complete'],
  ];
  for (const [label, fault, outcome] of faults) {
    it(`${label}, then ?full=true twice: each request runs within 30 s`, async () => {
      upstream.fault = structuredClone(fault);
      const faulted = await requestAndAwaitRun('?full=true', 30_000);
      assert.equal(faulted.phase, outcome, faulted.message ?? '');
      upstream.fault = undefined;
      const first = await requestAndAwaitRun('?full=true', 30_000);
      assert.equal(first.phase, 'complete', first.message ?? '');
      assert.equal(first.lastRunMode, 'full');
      const second = await requestAndAwaitRun('?full=true', 30_000);
      assert.equal(second.phase, 'complete');
      assert.equal(second.lastRunMode, 'full');
      const incremental = await requestAndAwaitRun('', 30_000);
      assert.equal(incremental.phase, 'complete');
    });
  }

  it('a request made while a run is in progress runs after it (not dropped, not retried minutes later)', async () => {
    upstream.fault = { kind: 'delay', ms: 300 };
    try {
      const started = await (async () => {
        const asked = new Date().toISOString();
        assert.equal((await gw.get('/v0.1/registries/up/sync?full=true', { method: 'POST' })).status, 202);
        return eventually(async () => {
          const st = await status();
          return st.phase === 'syncing' && (st.lastAttempt ?? '') >= asked ? st : undefined;
        }, 10_000, 'first run started');
      })();
      const during = await requestAndAwaitRun('?full=true', 30_000);
      assert.ok((during.lastAttempt ?? '') > (started.lastAttempt ?? ''), 'a second run happened');
      assert.equal(during.phase, 'complete');
    } finally {
      upstream.fault = undefined;
    }
  });
});
