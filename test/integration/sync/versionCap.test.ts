import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { server } from '../../helpers/corpus.js';
import { startFakeUpstream, type FakeUpstream } from '../../helpers/fakeUpstream.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';

// Issue 9: one upstream name with thousands of versions must not stall reads or make a
// multi-megabyte /versions. catalog.maxVersionsPerName bounds the live versions a name keeps;
// further versions are skipped and counted, never fatal.

describe('versions per name are capped (catalog.maxVersionsPerName)', () => {
  let redis: TestRedis;
  let upstream: FakeUpstream;
  let gw: TestGateway;

  before(async () => {
    redis = await startTestRedis();
    const many = Array.from({ length: 80 }, (_, i) => server('io.x/prolific', `1.0.${i}`));
    upstream = await startFakeUpstream([...many, server('io.x/quiet', '1.0.0')]);
    gw = await startTestGateway({
      redisUrl: redis.url,
      prefix: redis.prefix(),
      role: 'api',
      raw: {
        registries: [{ name: 'up', type: 'upstream', url: upstream.url, sync: { pageSize: 25, maxRequestsPerSecond: 1000, safetyMargin: '1ms' } }],
        catalog: { maxVersionsPerName: 50 },
      },
    });
  });
  after(async () => {
    await gw?.close();
    await upstream?.close();
    await redis?.stop();
  });

  it('keeps at most the cap, counts the rest as skipped, and syncs everything else', async () => {
    const status = await gw.upstreams.get('up')?.run({ full: true });
    assert.equal(status?.phase, 'complete', status?.message ?? undefined);
    assert.equal(status?.skippedCount, 30);
    assert.match(String(status?.message), /maxVersionsPerName/);
    const versions = await gw.json<{ servers: unknown[]; metadata: { count: number } }>('/v0.1/servers/io.x%2Fprolific/versions');
    assert.equal(versions.body.metadata.count, 50);
    assert.equal((await gw.json('/v0.1/servers/io.x%2Fquiet/versions/latest')).status, 200);
    const again = await gw.upstreams.get('up')?.run({ full: true });
    assert.equal(again?.phase, 'complete');
    assert.equal(again?.removedCount, 0, 'versions left out by the cap are not swept or re-added');
  });

  it('refuses a publish past the cap with a 400 problem naming it', async () => {
    const managed = await startTestGateway({
      redisUrl: redis.url,
      prefix: `${redis.prefix()}-managed`,
      role: 'api',
      raw: { registries: [{ name: 'internal', type: 'managed' }], catalog: { maxVersionsPerName: 2 }, publish: { allowAnonymous: true } },
    });
    try {
      const publish = (version: string) =>
        managed.get('/internal/v0.1/publish', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(server('io.x/capped', version)) });
      assert.equal((await publish('1.0.0')).status, 200);
      assert.equal((await publish('1.0.1')).status, 200);
      const third = await publish('1.0.2');
      assert.equal(third.status, 400);
      assert.match(((await third.json()) as { detail: string }).detail, /catalog\.maxVersionsPerName/);
    } finally {
      await managed.close();
    }
  });
});
