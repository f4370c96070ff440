import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SyncStatus } from '../../../src/sync/SyncStatusStore.js';
import { corpus, server } from '../../helpers/corpus.js';
import { startFakeUpstream, type FakeUpstream } from '../../helpers/fakeUpstream.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { startSentinelSetup, type SentinelSetup } from '../../helpers/redisTopology.js';
import { eventually } from '../../helpers/wait.js';

const json = { 'Content-Type': 'application/json' };

/**
 * Redis Sentinel failover on real processes: a master, a replica and three `redis-server
 * --sentinel` processes on loopback. The master is SIGKILLed; the sentinels promote the replica;
 * reads answer 200 again within 30 s, publishing and syncing work afterwards, nothing exits.
 */
describe('Redis Sentinel failover', { skip: process.env.REDIS_URL ? 'spawns its own Redis processes (unset REDIS_URL)' : false }, () => {
  let sentinel: SentinelSetup;
  let upstream: FakeUpstream;
  let gw: TestGateway;
  let replica: TestGateway;

  before(async () => {
    sentinel = await startSentinelSetup();
    upstream = await startFakeUpstream(corpus(60, 2));
    const raw = {
      redis: { sentinel: { masterName: sentinel.masterName, nodes: sentinel.sentinels } },
      registries: [
        { name: 'internal', type: 'managed' },
        { name: 'up', type: 'upstream', url: upstream.url, sync: { pageSize: 30, maxRequestsPerSecond: 1000, interval: '1h', safetyMargin: '1ms' } },
      ],
      access: { admins: ['$anonymous'] },
      publish: { allowAnonymous: true },
    };
    const prefix = `se${Date.now().toString(36)}`;
    gw = await startTestGateway({ prefix, role: 'all', raw });
    replica = await startTestGateway({ prefix, role: 'api', raw });
  });
  after(async () => {
    await gw?.close().catch(() => undefined);
    await replica?.close().catch(() => undefined);
    await upstream?.close();
    await sentinel?.stop();
  });

  async function statusOf(g: TestGateway): Promise<SyncStatus> {
    return (await g.json<{ syncStatus: SyncStatus }>('/v0.1/registries/up')).body.syncStatus;
  }

  it('survives a SIGKILLed master: 200 again within 30 s, then publish and sync work', async () => {
    await eventually(async () => (await statusOf(gw)).phase === 'complete', 30_000, 'first sync');
    assert.equal((await gw.get('/internal/v0.1/publish', { method: 'POST', headers: json, body: JSON.stringify(server('com.acme/ha', '1.0.0')) })).status, 200);
    await eventually(async () => (await replica.get('/v0.1/servers/com.acme%2Fha/versions/latest')).status === 200, 5000, 'replica sees the publish');
    // Replication is asynchronous: a failover may lose what the replica had not received yet.
    await sentinel.replicated();

    const oldMaster = sentinel.master.port;
    const killedAt = Date.now();
    sentinel.master.process.kill('SIGKILL');
    for (const g of [gw, replica]) {
      const r = await g.get('/v0.1/servers/com.acme%2Fha/versions/latest', { signal: AbortSignal.timeout(10_000) });
      assert.ok(r.status === 200 || r.status === 503, `during failover: ${r.status}`);
      if (r.status === 503) assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    }
    await eventually(async () => (await sentinel.currentMasterPort()) !== oldMaster, 30_000, 'sentinels promoted the replica');
    for (const g of [gw, replica]) {
      await eventually(async () => (await g.get('/v0.1/servers/com.acme%2Fha/versions/latest')).status === 200 && (await g.get('/readyz')).status === 200, 30_000, 'reads answer 200 after the failover');
    }
    const recoveredMs = Date.now() - killedAt;
    assert.ok(recoveredMs < 30_000, `recovered after ${recoveredMs} ms`);
    process.stdout.write(`# sentinel failover: reads 200 again ${recoveredMs} ms after the master was killed\n`);

    const pub = await eventually(async () => {
      const r = await replica.get('/internal/v0.1/publish', { method: 'POST', headers: json, body: JSON.stringify(server('com.acme/ha', '2.0.0')) });
      return r.status === 200 ? r : undefined;
    }, 15_000, 'publish after the failover');
    assert.equal(pub.status, 200);
    await eventually(async () => (await gw.json<{ server: { version: string } }>('/v0.1/servers/com.acme%2Fha/versions/latest')).body.server?.version === '2.0.0', 5000, 'the other replica follows the new master');

    upstream.registry.publish(server('io.example.after/failover', '1.0.0'));
    const asked = new Date().toISOString();
    assert.equal((await gw.get('/v0.1/registries/up/sync', { method: 'POST' })).status, 202);
    const st = await eventually(async () => {
      const s = await statusOf(gw);
      return s.phase === 'complete' && (s.lastAttempt ?? '') >= asked ? s : undefined;
    }, 30_000, 'sync-now after the failover');
    assert.equal(st.serverCount, 61);
  });
});
