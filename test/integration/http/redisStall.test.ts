import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { server } from '../../helpers/corpus.js';
import { startTestGateway, tempDir, writeJson, type TestGateway } from '../../helpers/gateway.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';
import { eventually } from '../../helpers/wait.js';

/**
 * Issue 9 point 4: a Redis that accepts connections but does not answer (SIGSTOP) must not hang
 * reads. The API's client gives up after redis.commandTimeout (1s here): 503 problem+json with
 * Retry-After, well under the bound asserted below, on every read route; after SIGCONT it serves
 * 200 again.
 */
describe('Redis frozen (SIGSTOP)', { skip: process.env.REDIS_URL ? 'needs a Redis the test can signal (unset REDIS_URL)' : false }, () => {
  let redis: TestRedis;
  let gw: TestGateway;

  before(async () => {
    redis = await startTestRedis();
    const dir = tempDir();
    writeJson(dir, 'reg.json', [server('io.x/a', '1.0.0'), server('io.x/b', '1.0.0')]);
    gw = await startTestGateway({
      redisUrl: redis.url,
      prefix: redis.prefix(),
      dir,
      role: 'api',
      raw: { registries: [{ name: 'reg', type: 'file', path: 'reg.json', watch: false }], access: { admins: ['$anonymous'] }, redis: { commandTimeout: '1s' } },
    });
    await gw.fileSources[0]?.load();
    await eventually(async () => ((await (await gw.get('/v0.1/servers')).json()) as { servers: unknown[] }).servers.length === 2);
  });
  after(async () => {
    try {
      redis?.signal('SIGCONT');
    } catch {
      // already stopped
    }
    await gw?.close();
    await redis?.stop();
  });

  it('answers 503 problem+json with Retry-After within a bounded time, then 200 after SIGCONT', async () => {
    redis.signal('SIGSTOP');
    try {
      const paths = ['/v0.1/servers', '/v0.1/servers?search=a', '/v0.1/servers/io.x%2Fa/versions', '/v0.1/servers/io.x%2Fa/versions/latest', '/reg/v0.1/servers', '/v0.1/registries', '/readyz'];
      const results = await Promise.all(
        paths.map(async (p) => {
          const t0 = Date.now();
          const r = await gw.get(p, { signal: AbortSignal.timeout(10_000) });
          return { p, status: r.status, ms: Date.now() - t0, type: r.headers.get('content-type'), retryAfter: r.headers.get('retry-after'), body: await r.text() };
        }),
      );
      for (const r of results) {
        assert.equal(r.status, 503, `${r.p}: ${r.status} ${r.body}`);
        assert.ok(r.ms < 4000, `${r.p} answered after ${r.ms} ms`);
        if (r.p === '/readyz') continue;
        assert.equal(r.type, 'application/problem+json; charset=utf-8', r.p);
        assert.ok(r.retryAfter, `${r.p} has Retry-After`);
        assert.doesNotMatch(r.body, /timed out|ioredis|127\.0\.0\.1|stack/i, r.body);
      }
    } finally {
      redis.signal('SIGCONT');
    }
    await eventually(async () => (await gw.get('/v0.1/servers')).status === 200, 10_000, 'served again after SIGCONT');
    const body = (await (await gw.get('/v0.1/servers/io.x%2Fa/versions/latest')).json()) as { server: { name: string } };
    assert.equal(body.server.name, 'io.x/a');
  });
});
