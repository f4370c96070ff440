import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SyncStatus } from '../../../src/sync/SyncStatusStore.js';
import { corpus, server } from '../../helpers/corpus.js';
import { startFakeUpstream, type FakeUpstream } from '../../helpers/fakeUpstream.js';
import { listAll, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { nodeClient, startClusterSetup, type ClusterSetup } from '../../helpers/redisTopology.js';
import { eventually } from '../../helpers/wait.js';

/**
 * Redis Cluster with three masters (real cluster nodes on loopback): the API, the workers, BullMQ's
 * queue, worker and schedulers and the change-stream follower all run through `redis.cluster`.
 */
describe('Redis Cluster (three masters)', { skip: process.env.REDIS_URL ? 'spawns its own cluster nodes (unset REDIS_URL)' : false }, () => {
  let cluster: ClusterSetup;
  let upstream: FakeUpstream;
  const gateways: TestGateway[] = [];
  const prefix = `cl${Date.now().toString(36)}`;

  before(async () => {
    cluster = await startClusterSetup();
    upstream = await startFakeUpstream(corpus(150, 3));
  });
  after(async () => {
    for (const g of gateways) await g.close().catch(() => undefined);
    await upstream?.close();
    await cluster?.stop();
  });

  async function gateway(role: 'all' | 'api' | 'worker'): Promise<TestGateway> {
    const gw = await startTestGateway({
      prefix,
      role,
      raw: {
        redis: { cluster: { nodes: [cluster.nodes[0]] } },
        registries: [
          { name: 'internal', type: 'managed' },
          { name: 'up', type: 'upstream', url: upstream.url, sync: { pageSize: 40, maxRequestsPerSecond: 1000, interval: '1h', safetyMargin: '1ms' } },
        ],
        access: { admins: ['$anonymous'] },
        publish: { allowAnonymous: true },
      },
    });
    gateways.push(gw);
    return gw;
  }

  async function statusOf(gw: TestGateway): Promise<SyncStatus> {
    return (await gw.json<{ syncStatus: SyncStatus }>('/v0.1/registries/up')).body.syncStatus;
  }

  it('syncs, publishes, forces full walks and keeps schedulers; a second replica reads the same data', async () => {
    const gw = await gateway('all');
    const first = await eventually(async () => {
      const st = await statusOf(gw);
      return st.phase === 'complete' ? st : undefined;
    }, 30_000, 'first sync on the cluster');
    assert.equal(first.serverCount, 150);
    assert.equal(first.lastRunMode, 'full');

    const schedulers = (await gw.queue.queue.getJobSchedulers(0, -1)).map((s) => s.id ?? s.key);
    assert.deepEqual(schedulers, ['sync:up']);
    assert.ok(typeof first.nextRunAt === 'string', 'the scheduler reports its next run');

    const pub = await gw.get('/internal/v0.1/publish', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(server('com.acme/cluster', '1.0.0')) });
    assert.equal(pub.status, 200, await pub.text());

    upstream.registry.publish(server('io.example.late/one', '1.0.0'));
    const asked = new Date().toISOString();
    assert.equal((await gw.get('/v0.1/registries/up/sync', { method: 'POST' })).status, 202);
    const inc = await eventually(async () => {
      const st = await statusOf(gw);
      return st.phase === 'complete' && (st.lastAttempt ?? '') >= asked ? st : undefined;
    }, 30_000, 'sync-now on the cluster');
    assert.equal(inc.lastRunMode, 'incremental');
    assert.equal(inc.serverCount, 151);

    const asked2 = new Date().toISOString();
    assert.equal((await gw.get('/v0.1/registries/up/sync?full=true', { method: 'POST' })).status, 202);
    const full = await eventually(async () => {
      const st = await statusOf(gw);
      return st.phase === 'complete' && (st.lastAttempt ?? '') >= asked2 ? st : undefined;
    }, 30_000, 'forced full walk on the cluster');
    assert.equal(full.lastRunMode, 'full');

    const replica = await gateway('api');
    const rows = (list: Array<{ server: { name: string; version: string } }>) => list.map((r) => `${r.server.name}@${r.server.version}`).sort();
    const listed = await listAll<{ server: { name: string; version: string } }>(gw, '/v0.1/servers');
    assert.equal(new Set(listed.map((r) => r.server.name)).size, 152);
    assert.deepEqual(rows(await listAll(replica, '/v0.1/servers')), rows(listed));

    // The change-stream follower: a publish through one replica is read through the other.
    const pub2 = await replica.get('/internal/v0.1/publish', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(server('com.acme/cluster', '1.1.0')) });
    assert.equal(pub2.status, 200);
    await eventually(async () => (await gw.json<{ server: { version: string } }>('/v0.1/servers/com.acme%2Fcluster/versions/latest')).body.server?.version === '1.1.0', 5000, 'publish seen by the other replica');
  });

  it('every gateway key lives in one slot (one hash tag), on one master', async () => {
    const owners: number[] = [];
    for (const port of cluster.ports) {
      const c = nodeClient(port);
      try {
        const keys = (await c.keys(`{${prefix}}*`)).length;
        if (keys > 0) owners.push(port);
      } finally {
        c.disconnect();
      }
    }
    assert.equal(owners.length, 1, `keys found on ${owners.join(', ')}`);
  });
});
