import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SyncStatus } from '../../../src/sync/SyncStatusStore.js';
import { item, server } from '../../helpers/corpus.js';
import { listAll, startTestGateway, tempDir, type TestGateway } from '../../helpers/gateway.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';

const LEVELS = 6000;
/** Raw JSON text of a server.json whose publisher `_meta` nests LEVELS arrays (~12 KB). */
const deepServerText = (name: string) =>
  JSON.stringify(server(name, '1.0.0')).replace(/}$/, `,"_meta":{"io.modelcontextprotocol.registry/publisher-provided":{"x":${'['.repeat(LEVELS)}${']'.repeat(LEVELS)}}}}`);
const hugeServerText = (name: string) => JSON.stringify(server(name, '1.0.0', { description: 'd'.repeat(300 * 1024) }));

describe('entries nested thousands of levels deep, or huge, are bounded at the edge', () => {
  let redis: TestRedis;
  let upstream: Server;
  let gw: TestGateway;

  before(async () => {
    redis = await startTestRedis();
    const page = `{"servers":[${JSON.stringify(item(server('io.a/ok', '1.0.0')))},{"server":${deepServerText('io.deep/x')}},{"server":${hugeServerText('io.huge/x')}},${JSON.stringify(item(server('io.b/ok', '1.0.0')))}],"metadata":{"count":4}}`;
    assert.ok(Buffer.byteLength(page) > 12_000);
    upstream = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(page));
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const port = (upstream.address() as { port: number }).port;
    const dir = tempDir();
    writeFileSync(path.join(dir, 'file.json'), `[${JSON.stringify(server('io.c/ok', '1.0.0'))},${deepServerText('io.deep/file')}]`);
    gw = await startTestGateway({
      redisUrl: redis.url,
      prefix: redis.prefix(),
      dir,
      raw: {
        registries: [
          { name: 'internal', type: 'managed' },
          { name: 'up', type: 'upstream', url: `http://127.0.0.1:${port}`, sync: { maxRequestsPerSecond: 500, timeout: '2s' } },
          { name: 'file', type: 'file', path: 'file.json', watch: false },
        ],
        access: { admins: ['$anonymous'] },
        publish: { allowAnonymous: true },
      },
    });
  });
  after(async () => {
    await gw?.close();
    await new Promise((r) => upstream?.close(r));
    await redis?.stop();
  });

  it('an upstream sync skips and counts them, and stores the rest', async () => {
    const sync = gw.upstreams.get('up');
    assert.ok(sync);
    await sync.run({ full: true });
    const status = (await gw.json<{ syncStatus: SyncStatus }>('/v0.1/registries/up')).body.syncStatus;
    assert.equal(status.phase, 'complete', String(status.message));
    assert.equal(status.skippedCount, 2);
    assert.match(String(status.message), /nested more than 32 levels deep/);
    const names = (await listAll<{ server: { name: string } }>(gw, '/up/v0.1/servers')).map((e) => e.server.name);
    assert.deepEqual(names, ['io.a/ok', 'io.b/ok']);
  });

  it('a file registry skips them too', async () => {
    const names = (await listAll<{ server: { name: string } }>(gw, '/file/v0.1/servers')).map((e) => e.server.name);
    assert.deepEqual(names, ['io.c/ok']);
  });

  it('publish refuses them with a 400 naming the problem, not a 500', async () => {
    const r = await gw.get('/internal/v0.1/publish', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: deepServerText('io.deep/pub') });
    assert.equal(r.status, 400, await r.clone().text());
    assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    const body = (await r.json()) as { detail: string; status: number };
    assert.match(body.detail, /nested more than 32 levels deep \(at body\._meta\.io\.modelcontextprotocol\.registry\/publisher-provided\.x\[0\]/);
    assert.equal((await gw.get('/v0.1/servers/io.deep%2Fpub/versions')).status, 404);
    const ok = await gw.get('/internal/v0.1/publish', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(server('io.fine/x', '1.0.0')) });
    assert.equal(ok.status, 200);
  });
});
