import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Keys } from '../../../src/catalog/keys.js';
import { SyncStatusStore, type SyncStatus } from '../../../src/sync/SyncStatusStore.js';
import { corpus } from '../../helpers/corpus.js';
import { startFakeUpstream, type FakeUpstream } from '../../helpers/fakeUpstream.js';
import { startTestGateway, tempDir, type TestGateway } from '../../helpers/gateway.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';
import { eventually } from '../../helpers/wait.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');


const fastWorker = { concurrency: 2, lockDuration: '2s', stalledInterval: '1s' };

describe('sync workers (BullMQ)', () => {
  let redis: TestRedis;
  let upstream: FakeUpstream;
  const started: TestGateway[] = [];

  before(async () => {
    redis = await startTestRedis();
    upstream = await startFakeUpstream(corpus(200, 3));
  });
  after(async () => {
    for (const g of started) await g.close().catch(() => undefined);
    await upstream?.close();
    await redis?.stop();
  });

  const registry = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    type: 'upstream',
    url: upstream.url,
    sync: { pageSize: 20, maxRequestsPerSecond: 1000, interval: '1h', safetyMargin: '1ms' },
    ...extra,
  });

  async function gateway(prefix: string, registries: unknown[], role: 'all' | 'api' | 'worker' = 'all'): Promise<TestGateway> {
    const gw = await startTestGateway({ redisUrl: redis.url, prefix, role, raw: { registries, access: { admins: ['$anonymous'] }, worker: fastWorker } });
    started.push(gw);
    return gw;
  }

  async function statusOf(gw: TestGateway, name: string): Promise<SyncStatus> {
    return (await gw.json<{ syncStatus: SyncStatus }>(`/v0.1/registries/${name}`)).body.syncStatus;
  }

  it('schedules each upstream, runs the first sync at start, and shows the next run', async () => {
    const gw = await gateway(redis.prefix(), [registry('one'), registry('two')]);
    const s = await eventually(async () => {
      const st = await statusOf(gw, 'two');
      return st.phase === 'complete' ? st : undefined;
    });
    assert.equal(s.serverCount, 200);
    assert.ok(typeof s.nextRunAt === 'string' && Date.parse(s.nextRunAt) > Date.now(), `nextRunAt ${String(s.nextRunAt)}`);
    const ids = (await gw.queue.queue.getJobSchedulers(0, -1)).map((j) => j.id ?? j.key).sort();
    assert.deepEqual(ids, ['sync:one', 'sync:two']);
  });

  it('reconciles schedulers with the config: removed registries lose theirs', async () => {
    const prefix = redis.prefix();
    const first = await gateway(prefix, [registry('one'), registry('two')]);
    await first.close();
    const second = await gateway(prefix, [registry('one')]);
    const ids = (await second.queue.queue.getJobSchedulers(0, -1)).map((j) => j.id ?? j.key);
    assert.deepEqual(ids, ['sync:one']);
  });

  it('POST /v0.1/registries/{name}/sync queues a run (202); ?full=true forces a full walk', async () => {
    const gw = await gateway(redis.prefix(), [registry('one')]);
    const first = await eventually(async () => {
      const st = await statusOf(gw, 'one');
      return st.phase === 'complete' ? st : undefined;
    });
    const r = await gw.get('/v0.1/registries/one/sync', { method: 'POST' });
    assert.equal(r.status, 202);
    const inc = await eventually(async () => {
      const st = await statusOf(gw, 'one');
      return st.phase === 'complete' && st.lastSyncTime !== first.lastSyncTime ? st : undefined;
    });
    assert.equal(inc.lastRunMode, 'incremental');
    assert.equal((await gw.get('/v0.1/registries/one/sync?full=true', { method: 'POST' })).status, 202);
    const full = await eventually(async () => {
      const st = await statusOf(gw, 'one');
      return st.phase === 'complete' && st.lastSyncTime !== inc.lastSyncTime ? st : undefined;
    });
    assert.equal(full.lastRunMode, 'full');
  });

  it('two workers: at most one sync of a registry runs at a time', async () => {
    const prefix = redis.prefix();
    upstream.fault = { kind: 'delay', ms: 30 };
    try {
      const w1 = await gateway(prefix, [registry('one')], 'worker');
      const w2 = await gateway(prefix, [registry('one')], 'worker');
      const api = await gateway(prefix, [registry('one')], 'api');
      upstream.maxConcurrent = 0;
      const t0 = new Date().toISOString();
      await Promise.all([w1.queue.enqueue('one', true), w2.queue.enqueue('one', false), api.queue.enqueue('one', true), w1.upstreams.get('one')?.run({ full: true })]);
      await eventually(async () => {
        // The scheduler's next run stays delayed (1h); only queued and running jobs must drain.
        const counts = await api.queue.queue.getJobCounts('active', 'waiting', 'prioritized');
        const st = await statusOf(api, 'one');
        return Object.values(counts).every((n) => n === 0) && st.phase === 'complete' && (st.lastSyncTime ?? '') > t0;
      }, 30_000, 'queue drained');
      assert.equal(upstream.maxConcurrent, 1, 'never two walks of the same upstream at once');
    } finally {
      upstream.fault = undefined;
    }
  });

  it('a worker killed mid-sync (kill -9): another worker picks the job up and converges', async () => {
    const prefix = redis.prefix();
    const dir = tempDir();
    const config = path.join(dir, 'gw.yaml');
    writeFileSync(
      config,
      JSON.stringify({
        redis: { url: redis.url, prefix },
        registries: [registry('one')],
        worker: fastWorker,
      }),
    );
    upstream.fault = { kind: 'delay', ms: 150 };
    const before = upstream.requests.length;
    const child = spawn(process.execPath, [path.join(root, 'bin', 'mcp-registry-gateway.js'), 'serve', '--role', 'worker', '--config', config], {
      env: { PATH: process.env.PATH ?? '', LOG_FORMAT: 'json' },
      stdio: 'ignore',
    });
    try {
      await eventually(async () => upstream.requests.length - before >= 3, 20_000, 'child worker started syncing');
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      upstream.fault = undefined;
      const survivor = await gateway(prefix, [registry('one')], 'all');
      const done = await eventually(async () => {
        const st = await statusOf(survivor, 'one');
        return st.phase === 'complete' ? st : undefined;
      }, 30_000, 'sync completed by the surviving worker');
      assert.equal(done.serverCount, 200);
      assert.equal(done.lastRunMode, 'full');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      upstream.fault = undefined;
    }
  });

  it('shutdown aborts an in-flight sync promptly and records it as interrupted, not failed', async () => {
    upstream.fault = { kind: 'delay', ms: 200 };
    try {
      const prefix = redis.prefix();
      const gw = await gateway(prefix, [registry('one')]);
      await eventually(async () => (await statusOf(gw, 'one')).phase === 'syncing', 10_000, 'sync started');
      const t0 = Date.now();
      await gw.close();
      assert.ok(Date.now() - t0 < 5000, `closed in ${Date.now() - t0} ms`);
      const st = await new SyncStatusStore(redis.client(), new Keys(prefix)).get('one');
      assert.notEqual(st.phase, 'failed');
      assert.match(st.message ?? '', /interrupted: the worker is shutting down/);
      assert.equal(st.attemptCount, 0);
    } finally {
      upstream.fault = undefined;
    }
  });
});
