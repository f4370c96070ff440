import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { SyncStatus } from '../../../src/sync/SyncStatusStore.js';
import { item, server } from '../../helpers/corpus.js';
import { listAll, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';

async function listen(handler: (req: IncomingMessage, send: (status: number, headers: Record<string, string>, body?: string) => void) => void): Promise<{ server: Server; url: string }> {
  const s = createServer((req, res) => handler(req, (status, headers, body) => res.writeHead(status, headers).end(body)));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { server: s, url: `http://127.0.0.1:${(s.address() as { port: number }).port}` };
}

describe('upstream redirects', () => {
  let redis: TestRedis;
  let elsewhere: { server: Server; url: string };
  let upstream: { server: Server; url: string };
  let gw: TestGateway;
  const elsewhereSaw: Array<{ url?: string; authorization?: string }> = [];
  let redirectTo = '';

  before(async () => {
    redis = await startTestRedis();
    const page = JSON.stringify({ servers: [item(server('io.a/ok', '1.0.0'))], metadata: { count: 1 } });
    elsewhere = await listen((req, send) => {
      elsewhereSaw.push({ ...(req.url ? { url: req.url } : {}), ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
      send(200, { 'Content-Type': 'application/json' }, page);
    });
    upstream = await listen((req, send) => {
      if (req.url?.startsWith('/moved/')) send(200, { 'Content-Type': 'application/json' }, page);
      else send(302, { Location: redirectTo + (req.url ?? '').replace(/^\/v0\.1/, '/moved/v0.1') });
    });
    gw = await startTestGateway({
      redisUrl: redis.url,
      prefix: redis.prefix(),
      env: { UP_TOKEN: 'upstream-secret-token' },
      raw: {
        registries: [{ name: 'up', type: 'upstream', url: upstream.url, sync: { maxRequestsPerSecond: 500, timeout: '2s' }, auth: { tokenEnv: 'UP_TOKEN' } }],
        access: { admins: ['$anonymous'] },
      },
    });
    // The scheduler syncs once at start (redirectTo '' is same-origin); let it finish first.
    for (let i = 0; i < 100 && (await gw.json<{ syncStatus: SyncStatus }>('/v0.1/registries/up')).body.syncStatus.phase !== 'complete'; i++) await new Promise((r) => setTimeout(r, 50));
  });
  after(async () => {
    await gw?.close();
    for (const s of [upstream, elsewhere]) await new Promise((r) => s?.server.close(r));
    await redis?.stop();
  });

  const run = async () => {
    await gw.upstreams.get('up')?.run({ full: true }).catch(() => undefined);
    return (await gw.json<{ syncStatus: SyncStatus }>('/v0.1/registries/up')).body.syncStatus;
  };

  it('a redirect to another origin fails the sync and no request goes there', async () => {
    redirectTo = elsewhere.url;
    const before = elsewhereSaw.length;
    const status = await run();
    assert.equal(status.phase, 'failed');
    assert.match(String(status.message), /redirected to another origin \(http:\/\/127\.0\.0\.1:\d+\)/);
    assert.equal(elsewhereSaw.length - before, 0, `requests reached the other origin: ${JSON.stringify(elsewhereSaw)}`);
  });

  it('a redirect within the same origin is followed', async () => {
    redirectTo = upstream.url;
    const status = await run();
    assert.equal(status.phase, 'complete', String(status.message));
    const names = (await listAll<{ server: { name: string } }>(gw, '/up/v0.1/servers')).map((e) => e.server.name);
    assert.deepEqual(names, ['io.a/ok']);
  });
});
