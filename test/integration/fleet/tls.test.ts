import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { server } from '../../helpers/corpus.js';
import { startTestGateway, tempDir, writeJson, type TestGateway } from '../../helpers/gateway.js';
import { startTlsRedis, type TlsRedis } from '../../helpers/redisTopology.js';

/** `rediss://` with `redis.tls.caFile`: the gateway talks to a TLS-only redis-server. */
describe('Redis over TLS', { skip: process.env.REDIS_URL ? 'spawns its own Redis (unset REDIS_URL)' : false }, () => {
  let redis: TlsRedis;
  const gateways: TestGateway[] = [];

  before(async () => {
    redis = await startTlsRedis();
  });
  after(async () => {
    for (const g of gateways) await g.close().catch(() => undefined);
    await redis?.stop();
  });

  it('serves, publishes and loads file registries through a verified TLS connection', async () => {
    const dir = tempDir();
    writeJson(dir, 'reg.json', [server('io.x/tls', '1.0.0')]);
    const gw = await startTestGateway({
      prefix: 'tls',
      dir,
      raw: {
        redis: { url: redis.url, tls: { caFile: redis.caFile } },
        registries: [
          { name: 'internal', type: 'managed' },
          { name: 'reg', type: 'file', path: 'reg.json', watch: false },
        ],
        publish: { allowAnonymous: true },
      },
    });
    gateways.push(gw);
    assert.equal((await gw.get('/readyz')).status, 200);
    assert.equal((await gw.get('/v0.1/servers/io.x%2Ftls/versions/latest')).status, 200);
    const r = await gw.get('/internal/v0.1/publish', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(server('com.acme/tls', '1.0.0')) });
    assert.equal(r.status, 200);
  });

  it('refuses a server whose certificate the configured CA did not sign', async () => {
    const other = await startTlsRedis();
    try {
      await assert.rejects(
        startTestGateway({ prefix: 'tls2', raw: { redis: { url: redis.url, tls: { caFile: other.caFile } }, registries: [{ name: 'internal', type: 'managed' }] } }),
        /Redis at rediss:\/\/localhost:\d+\/? is unreachable/,
      );
    } finally {
      await other.stop();
    }
  });
});
