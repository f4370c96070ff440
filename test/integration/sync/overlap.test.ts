import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { server } from '../../helpers/corpus.js';
import { startFakeUpstream, type FakeUpstream } from '../../helpers/fakeUpstream.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';

interface Entry {
  server: { name: string; version: string; description: string };
  _meta: Record<string, Record<string, unknown>>;
}
const GW = 'io.github.mcp-registry-gateway/federation';

describe('overlapping upstreams', () => {
  let redis: TestRedis;
  let vendor: FakeUpstream;
  let publicUp: FakeUpstream;
  let gw: TestGateway;

  before(async () => {
    redis = await startTestRedis();
    vendor = await startFakeUpstream([server('com.acme/tool', '1.0.0', { description: 'vendor' })]);
    publicUp = await startFakeUpstream([
      server('com.acme/tool', '5.0.0', { description: 'public' }),
      server('io.github.x/other', '1.0.0', { description: 'public other' }),
    ]);
    const sync = { maxRequestsPerSecond: 1000, safetyMargin: '1ms' };
    gw = await startTestGateway({
      redisUrl: redis.url,
      prefix: redis.prefix(),
      role: 'api',
      raw: {
        registries: [
          { name: 'vendor', type: 'upstream', url: vendor.url, sync },
          { name: 'public', type: 'upstream', url: publicUp.url, sync, filter: { include: ['*'], exclude: ['io.github.x/*'] } },
        ],
      },
    });
    await gw.upstreams.get('vendor')?.run();
    await gw.upstreams.get('public')?.run();
  });
  after(async () => {
    await gw?.close();
    await vendor?.close();
    await publicUp?.close();
    await redis?.stop();
  });

  it('the higher-priority upstream owns a shared name; filters drop excluded names while streaming', async () => {
    const { body } = await gw.json<{ servers: Entry[] }>('/v0.1/servers');
    assert.deepEqual(body.servers.map((s) => `${s.server.name}@${s.server.version}`), ['com.acme/tool@1.0.0']);
    assert.equal(body.servers[0]?._meta[GW]?.registry, 'vendor');
    assert.deepEqual(body.servers[0]?._meta[GW]?.alsoIn, ['public']);
    assert.equal((await gw.json('/public/v0.1/servers/io.github.x%2Fother/versions')).status, 404, 'excluded by filter');
  });

  it('when the owner deletes the name upstream, the tombstone keeps ownership (no fall-through)', async () => {
    vendor.registry.setStatus('com.acme/tool', '1.0.0', 'deleted');
    await gw.upstreams.get('vendor')?.run();
    assert.equal((await gw.json('/v0.1/servers/com.acme%2Ftool/versions/latest')).status, 404);
    const latest = await gw.json<Entry>('/v0.1/servers/com.acme%2Ftool/versions/latest?include_deleted=true');
    assert.equal(latest.body._meta[GW]?.registry, 'vendor');
  });

  it('when the name vanishes from the owner (full resync), the next registry serves it', async () => {
    vendor.registry.remove('com.acme/tool', '1.0.0');
    await gw.upstreams.get('vendor')?.run({ full: true });
    const latest = await gw.json<Entry>('/v0.1/servers/com.acme%2Ftool/versions/latest');
    assert.equal(latest.body.server.version, '5.0.0');
    assert.equal(latest.body._meta[GW]?.registry, 'public');
  });
});
