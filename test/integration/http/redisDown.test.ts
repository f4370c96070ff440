import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { server } from '../../helpers/corpus.js';
import { startTestGateway, tempDir, writeJson, type TestGateway } from '../../helpers/gateway.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';
import { eventually } from '../../helpers/wait.js';


describe('Redis outage', { skip: process.env.REDIS_URL ? 'needs a Redis the test can stop (unset REDIS_URL)' : false }, () => {
  let redis: TestRedis;
  let gw: TestGateway;

  before(async () => {
    redis = await startTestRedis();
    const dir = tempDir();
    writeJson(dir, 'reg.json', [server('io.x/a', '1.0.0')]);
    gw = await startTestGateway({ redisUrl: redis.url, prefix: redis.prefix(), dir, raw: { registries: [{ name: 'reg', type: 'file', path: 'reg.json', watch: false }], access: { admins: ['$anonymous'] } } });
  });
  after(async () => {
    await gw?.close();
    await redis?.stop();
  });

  it('answers 503 problem+json without internals while Redis is down, and recovers', async () => {
    assert.equal((await gw.get('/v0.1/servers')).status, 200);
    await redis.stopServer();

    for (const path of ['/v0.1/servers', '/v0.1/servers/io.x%2Fa/versions', '/v0.1/servers/io.x%2Fa/versions/latest', '/reg/v0.1/servers', '/v0.1/registries']) {
      const r = await gw.get(path);
      assert.equal(r.status, 503, path);
      assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      const text = await r.text();
      assert.doesNotMatch(text, /ECONNREFUSED|ioredis|127\.0\.0\.1|stack|Stream isn't writeable/i, text);
      assert.match(JSON.parse(text).detail, /temporarily unavailable/);
    }
    assert.equal((await gw.get('/readyz')).status, 503);
    assert.equal((await gw.get('/livez')).status, 200);

    await redis.restart();
    await eventually(async () => (await gw.get('/readyz')).status === 200);
    // The restarted server lost its data (no persistence in tests): the read model notices and
    // reloads instead of serving names whose bodies are gone.
    await eventually(async () => (await gw.get('/v0.1/servers')).status === 200);
    assert.deepEqual(await (await gw.get('/v0.1/servers')).json(), { servers: [], metadata: { count: 0 } });
    await gw.fileSources[0]?.load();
    const after = (await (await gw.get('/v0.1/servers')).json()) as { servers: unknown[] };
    assert.equal(after.servers.length, 1);
  });
});
