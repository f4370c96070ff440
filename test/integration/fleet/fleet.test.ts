import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { startRedisServer, type StartedRedis } from '../../../devServices/redis.mjs';
import { bullPrefix, SYNC_QUEUE } from '../../../src/sync/SyncQueue.js';
import type { SyncStatus } from '../../../src/sync/SyncStatusStore.js';
import { corpus, server } from '../../helpers/corpus.js';
import { startFakeUpstream, type FakeUpstream } from '../../helpers/fakeUpstream.js';
import { spawnGateway, type GatewayProcess } from '../../helpers/fleet.js';
import { tempDir } from '../../helpers/gateway.js';
import { eventually } from '../../helpers/wait.js';

const json = { 'Content-Type': 'application/json' };
const NAMES = 300;
/** worker.lockDuration + worker.stalledInterval at their defaults (15 s + 5 s). */
const TAKEOVER_BOUND_MS = 30_000;

/** A measured figure, printed for the README's Operations section. */
function report(what: string, value: string): void {
  process.stdout.write(`# fleet: ${what}: ${value}\n`);
}

/**
 * DESIGN §5 on real processes: two API replicas and two workers (`serve --role ...` from the built
 * CLI) on one real redis-server with AOF, default worker lock settings. Crashes (kill -9),
 * Redis restarts and freezes, and SIGTERM of each role.
 */
describe('fleet: API replicas and workers as one gateway', { skip: process.env.REDIS_URL ? 'spawns and restarts its own Redis (unset REDIS_URL)' : false }, () => {
  const dataDir = tempDir();
  let redis: StartedRedis;
  let upstream: FakeUpstream;
  let config: Record<string, unknown>;
  let api1: GatewayProcess;
  let api2: GatewayProcess;
  const workers: GatewayProcess[] = [];
  let queue: Queue;

  before(async () => {
    redis = await startRedisServer({ dataDir });
    upstream = await startFakeUpstream(corpus(NAMES, 2));
    config = {
      redis: { url: redis.url, prefix: 'fleet' },
      server: { shutdownTimeout: '5s' },
      registries: [
        { name: 'internal', type: 'managed' },
        { name: 'up', type: 'upstream', url: upstream.url, sync: { pageSize: 20, maxRequestsPerSecond: 1000, interval: '1h', timeout: '10s', safetyMargin: '1ms' } },
      ],
      access: { admins: ['$anonymous'] },
      publish: { allowAnonymous: true },
    };
    [api1, api2] = await Promise.all([spawnGateway('api', config), spawnGateway('api', config)]);
    workers.push(await spawnGateway('worker', config), await spawnGateway('worker', config));
    queue = new Queue(SYNC_QUEUE, { connection: { url: redis.url, maxRetriesPerRequest: null }, prefix: bullPrefix('fleet') });
    queue.on('error', () => undefined);
  });
  after(async () => {
    await queue?.close().catch(() => undefined);
    for (const p of [api1, api2, ...workers]) await p?.stop('SIGKILL');
    await upstream?.close();
    await redis?.stop();
  });

  async function statusOf(p: GatewayProcess): Promise<SyncStatus> {
    const r = await fetch(`${p.url}/v0.1/registries/up`);
    return ((await r.json()) as { syncStatus: SyncStatus }).syncStatus;
  }

  async function versions(p: GatewayProcess): Promise<string[]> {
    const out: string[] = [];
    let cursor: string | undefined;
    do {
      const r = await fetch(`${p.url}/v0.1/servers?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.equal(r.status, 200);
      const body = (await r.json()) as { servers: Array<{ server: { name: string; version: string } }>; metadata: { nextCursor?: string } };
      out.push(...body.servers.map((s) => `${s.server.name}@${s.server.version}`));
      cursor = body.metadata.nextCursor;
    } while (cursor);
    return out;
  }

  async function awaitRunAfter(t: number, timeoutMs: number, what: string): Promise<SyncStatus> {
    return eventually(async () => {
      const st = await statusOf(api2).catch(() => undefined);
      return st && st.phase === 'complete' && Date.parse(st.lastSyncTime ?? '') > t ? st : undefined;
    }, timeoutMs, what);
  }

  /** Waits until a sync job is active and returns the worker process running it. */
  async function syncingWorker(): Promise<GatewayProcess> {
    return eventually(async () => {
      const [job] = await queue.getActive();
      const pid = Number(job?.processedBy?.split(':').pop());
      return workers.find((w) => w.child.pid === pid && w.child.exitCode === null);
    }, 15_000, 'a worker runs the sync');
  }

  it('two replicas agree: a publish through one is read through the other at once; cursors cross replicas; sync-now never overlaps', async () => {
    await eventually(async () => (await statusOf(api1)).phase === 'complete', 30_000, 'first sync');
    const r = await fetch(`${api1.url}/internal/v0.1/publish`, { method: 'POST', headers: json, body: JSON.stringify(server('com.acme/fleet', '1.0.0')) });
    assert.equal(r.status, 200);
    const t0 = Date.now();
    await eventually(async () => (await fetch(`${api2.url}/v0.1/servers/com.acme%2Ffleet/versions/latest`)).status === 200, 5000, 'publish visible on the other replica');
    report('publish on replica 1 readable on replica 2 after', `${Date.now() - t0} ms`);

    const page1 = (await (await fetch(`${api1.url}/v0.1/servers?limit=50`)).json()) as { servers: Array<{ server: { name: string; version: string } }>; metadata: { nextCursor: string } };
    const page2 = (await (await fetch(`${api2.url}/v0.1/servers?limit=50&cursor=${encodeURIComponent(page1.metadata.nextCursor)}`)).json()) as typeof page1;
    const all = await versions(api1);
    assert.deepEqual([...page1.servers, ...page2.servers].map((s) => `${s.server.name}@${s.server.version}`), all.slice(0, 100));

    upstream.fault = { kind: 'delay', ms: 20 };
    upstream.maxConcurrent = 0;
    const t1 = Date.now();
    const answers = await Promise.all(
      [api1, api2, api1, api2].map((p, i) => fetch(`${p.url}/v0.1/registries/up/sync${i % 2 ? '?full=true' : ''}`, { method: 'POST' }).then((x) => x.status)),
    );
    assert.deepEqual(answers, [202, 202, 202, 202]);
    await eventually(async () => {
      const counts = await queue.getJobCounts('active', 'waiting', 'prioritized', 'delayed');
      const st = await statusOf(api1);
      return (counts.active ?? 0) + (counts.waiting ?? 0) + (counts.prioritized ?? 0) === 0 && st.phase === 'complete' && Date.parse(st.lastSyncTime ?? '') > t1;
    }, 30_000, 'sync-now requests drained');
    upstream.fault = undefined;
    assert.equal(upstream.maxConcurrent, 1, 'never two walks of one registry at once');
  });

  it('kill -9 of the syncing worker: a slow but live worker is never taken over; a dead one is within the bound', async () => {
    upstream.fault = { kind: 'delay', ms: 1200 };
    upstream.maxConcurrent = 0;
    assert.equal((await fetch(`${api1.url}/v0.1/registries/up/sync?full=true`, { method: 'POST' })).status, 202);
    const victim = await syncingWorker();
    // Longer than lockDuration + stalledInterval: a live worker keeps its job, however slow.
    await new Promise((r) => setTimeout(r, 22_000));
    assert.equal(upstream.maxConcurrent, 1, 'the slow sync was not taken over');
    assert.equal((await statusOf(api1)).phase, 'syncing');
    assert.equal(await syncingWorker(), victim, 'still the same worker');

    upstream.fault = undefined;
    const killedAt = Date.now();
    const seen = upstream.requests.length;
    await victim.stop('SIGKILL');
    await eventually(async () => upstream.requests.length > seen, TAKEOVER_BOUND_MS, 'another worker took the sync over');
    const takeoverMs = Date.now() - killedAt;
    const done = await awaitRunAfter(killedAt, TAKEOVER_BOUND_MS, 'taken-over sync completed');
    report('kill -9 of the syncing worker: taken over after', `${takeoverMs} ms (completed after ${Date.now() - killedAt} ms)`);
    assert.ok(takeoverMs < TAKEOVER_BOUND_MS, `taken over after ${takeoverMs} ms`);
    assert.equal(done.lastRunMode, 'full');
    assert.equal(done.serverCount, NAMES);
    const listed = await versions(api1);
    assert.equal(new Set(listed).size, listed.length, 'no duplicated rows');
    assert.equal(listed.length, upstream.registry.all().length + 1);
  });

  it('kill -9 of every worker, then one new worker: nothing stays syncing beyond the bound; the next sync converges', async () => {
    upstream.fault = { kind: 'delay', ms: 300 };
    assert.equal((await fetch(`${api1.url}/v0.1/registries/up/sync?full=true`, { method: 'POST' })).status, 202);
    await syncingWorker();
    upstream.fault = undefined;
    const killedAt = Date.now();
    for (const w of workers) await w.stop('SIGKILL');
    workers.push(await spawnGateway('worker', config));
    const st = await awaitRunAfter(killedAt, TAKEOVER_BOUND_MS, 'the new worker finished the interrupted sync');
    report('kill -9 of all workers, new worker: registry complete after', `${Date.now() - killedAt} ms`);
    assert.equal(st.serverCount, NAMES);
    upstream.registry.publish(server('io.example.more/one', '1.0.0'));
    const t = Date.now();
    assert.equal((await fetch(`${api2.url}/v0.1/registries/up/sync`, { method: 'POST' })).status, 202);
    assert.equal((await awaitRunAfter(t, 30_000, 'next sync')).serverCount, NAMES + 1);
  });

  it('kill -9 of an API replica under load: the other keeps answering; the restarted one serves the same data', async () => {
    const statuses: number[] = [];
    let stop = false;
    const load = Promise.all(
      Array.from({ length: 8 }, async () => {
        while (!stop) statuses.push((await fetch(`${api2.url}/v0.1/servers?limit=50`)).status);
      }),
    );
    await new Promise((r) => setTimeout(r, 500));
    await api1.stop('SIGKILL');
    await new Promise((r) => setTimeout(r, 1500));
    stop = true;
    await load;
    // Liveness, not throughput (a loaded CI machine serves fewer): every client got answers, all 200.
    assert.ok(statuses.length >= 8, `${statuses.length} requests`);
    assert.deepEqual([...new Set(statuses)], [200]);
    report('kill -9 of replica 1: requests to replica 2 during it', `${statuses.length}, all 200`);
    const port = Number(new URL(api1.url).port);
    api1 = await spawnGateway('api', config, { port });
    assert.deepEqual(await versions(api1), await versions(api2));
  });

  it('Redis restarted (AOF): bounded 503 problem+json while gone, 200 within seconds of its return with the same data; workers resume', async () => {
    const before = await versions(api1);
    await redis.stop();
    for (const p of [api1, api2]) {
      const t0 = Date.now();
      const r = await fetch(`${p.url}/v0.1/servers/com.acme%2Ffleet/versions/latest`, { signal: AbortSignal.timeout(10_000) });
      const ms = Date.now() - t0;
      assert.equal(r.status, 503);
      assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      assert.ok(ms < 3000, `answered after ${ms} ms`);
    }
    const port = Number(new URL(redis.url).port);
    redis = await startRedisServer({ dataDir, port });
    const back = Date.now();
    for (const p of [api1, api2]) await eventually(async () => (await fetch(`${p.url}/v0.1/servers/com.acme%2Ffleet/versions/latest`)).status === 200, 15_000, 'served again');
    report('Redis restarted (AOF): both replicas serve 200 again after', `${Date.now() - back} ms`);
    assert.deepEqual(await versions(api2), before);
    const t = Date.now();
    assert.equal((await fetch(`${api1.url}/v0.1/registries/up/sync`, { method: 'POST' })).status, 202);
    await awaitRunAfter(t, 30_000, 'sync-now after the Redis restart');
    assert.deepEqual((await queue.getJobSchedulers(0, -1)).map((s) => s.id ?? s.key), ['sync:up']);
  });

  it('Redis frozen (SIGSTOP): every replica answers 503 within the command timeout, never 200 after a hang; then syncs run again', async () => {
    redis.process.kill('SIGSTOP');
    try {
      for (const p of [api1, api2]) {
        const t0 = Date.now();
        const r = await fetch(`${p.url}/v0.1/servers/com.acme%2Ffleet/versions/latest`, { signal: AbortSignal.timeout(10_000) });
        const ms = Date.now() - t0;
        assert.equal(r.status, 503, `after ${ms} ms`);
        assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8');
        assert.ok(ms < 4000, `answered after ${ms} ms`);
        report('Redis frozen: 503 after', `${ms} ms`);
      }
    } finally {
      redis.process.kill('SIGCONT');
    }
    for (const p of [api1, api2]) await eventually(async () => (await fetch(`${p.url}/v0.1/servers/com.acme%2Ffleet/versions/latest`)).status === 200, 10_000, 'served after SIGCONT');
    const t = Date.now();
    assert.equal((await fetch(`${api2.url}/v0.1/registries/up/sync`, { method: 'POST' })).status, 202);
    await awaitRunAfter(t, 30_000, 'sync-now after the freeze');
  });

  it('SIGTERM of each role exits 0 within server.shutdownTimeout, finishing in-flight requests', async () => {
    // A request in flight: headers sent, body still arriving when SIGTERM lands.
    const body = Buffer.from(JSON.stringify(server('com.acme/inflight', '1.0.0')));
    const req = request(`${api1.url}/internal/v0.1/publish`, { method: 'POST', headers: { ...json, 'Content-Length': String(body.length) } });
    const answered = new Promise<number>((resolve, reject) => {
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
    });
    req.write(body.subarray(0, 10));
    await new Promise((r) => setTimeout(r, 300));
    const apiExited = api1.stop('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    req.end(body.subarray(10));
    assert.equal(await answered, 200, 'the in-flight publish finished');
    const apiExit = await apiExited;
    upstream.fault = { kind: 'delay', ms: 300 };
    assert.equal((await fetch(`${api2.url}/v0.1/registries/up/sync?full=true`, { method: 'POST' })).status, 202);
    const busy = await syncingWorker();
    const stoppedAt = Date.now();
    const workerExit = await busy.stop('SIGTERM');
    upstream.fault = undefined;
    const all = await spawnGateway('all', config);
    const allExit = await all.stop('SIGTERM');
    for (const [role, exit] of [['api', apiExit], ['worker', workerExit], ['all', allExit]] as const) {
      assert.equal(exit.code, 0, `${role} exit code`);
      assert.ok(exit.ms < 5000 + 1500, `${role} exited after ${exit.ms} ms: ${(role === 'worker' ? busy : role === 'api' ? api1 : all).output().slice(-1500)}`);
      report(`SIGTERM of ${role}: exit 0 after`, `${exit.ms} ms`);
    }
    // The sync the stopped worker was running is handed back and finished by the remaining one.
    workers.push(await spawnGateway('worker', config));
    await eventually(async () => Date.parse(String((await statusOf(api2)).lastFullSyncTime)) > stoppedAt, 30_000, 'the interrupted full sync ran again on another worker');
  });
});
