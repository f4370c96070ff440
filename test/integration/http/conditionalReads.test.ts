import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { server } from '../../helpers/corpus.js';
import { startTestGateway, tempDir, writeJson, type TestGateway } from '../../helpers/gateway.js';
import { startTestIdp, type TestIdp } from '../../helpers/idp.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';

// DESIGN §2 "Conditional reads": every list, /versions and detail response carries an ETag that
// changes whenever that caller's response would change; If-None-Match answers 304 with no body;
// one caller's tag never validates another caller's different body.

const ROUTES = [
  '/v0.1/servers',
  '/v0.1/servers?search=tool&limit=1',
  '/v0.1/servers?updated_since=2000-01-01T00:00:00Z',
  '/v0.1/servers/com.acme%2Ftool/versions',
  '/v0.1/servers/com.acme%2Ftool/versions/latest',
  '/internal/v0.1/servers',
  '/internal/v0.1/servers/com.acme%2Ftool/versions',
  '/internal/v0.1/servers/com.acme%2Ftool/versions/1.0.0',
];

describe('conditional reads', () => {
  let redis: TestRedis;
  let idp: TestIdp;
  let gw: TestGateway;
  const tokens: Record<string, string> = {};

  before(async () => {
    redis = await startTestRedis();
    idp = await startTestIdp([
      { id: 'admin', secret: 's1', groups: ['registry-admins'] },
      { id: 'dev', secret: 's2', groups: ['engineering'] },
      { id: 'ops', secret: 's3', groups: ['ops'] },
    ]);
    const dir = tempDir();
    writeJson(dir, 'public.json', [server('com.acme/tool', '0.9.0'), server('io.x/other', '1.0.0')]);
    gw = await startTestGateway({
      redisUrl: redis.url,
      prefix: redis.prefix(),
      dir,
      raw: {
        registries: [
          { name: 'internal', type: 'managed' },
          { name: 'public', type: 'file', path: 'public.json', watch: false },
        ],
        auth: { mode: 'oidc', oidc: { issuer: idp.issuer, audience: idp.audience } },
        access: {
          admins: ['registry-admins'],
          rules: [
            { groups: ['engineering'], registries: ['*'] },
            { groups: ['ops'], registries: ['*'], exclude: ['io.x/*'] },
          ],
        },
      },
    });
    for (const id of ['admin', 'dev', 'ops']) tokens[id] = await idp.token(id);
    const publish = await gw.get('/internal/v0.1/publish', {
      method: 'POST',
      headers: { Authorization: `Bearer ${tokens.admin}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(server('com.acme/tool', '1.0.0')),
    });
    assert.equal(publish.status, 200);
  });
  after(async () => {
    await gw?.close();
    await idp?.close();
    await redis?.stop();
  });

  const get = (path: string, who: string, etag?: string) =>
    gw.get(path, { headers: { Authorization: `Bearer ${tokens[who]}`, ...(etag ? { 'If-None-Match': etag } : {}) } });

  it('every read route answers 304 with no body to a current tag, with private caching headers', async () => {
    for (const path of ROUTES) {
      const first = await get(path, 'dev');
      assert.equal(first.status, 200, path);
      const etag = first.headers.get('etag') as string;
      assert.match(etag, /^"[A-Za-z0-9_-]+"$/, `${path}: strong ETag`);
      assert.equal(first.headers.get('cache-control'), 'private, no-cache');
      assert.equal(first.headers.get('vary'), 'Authorization, X-Authorization');
      await first.arrayBuffer();
      const again = await get(path, 'dev', etag);
      assert.equal(again.status, 304, path);
      assert.equal(await again.text(), '');
      assert.equal(again.headers.get('etag'), etag);
      const listOfTags = await get(path, 'dev', `"nope", W/${etag}`);
      assert.equal(listOfTags.status, 304, `${path}: weak comparison over a list of tags`);
      assert.equal((await get(path, 'dev', '"stale"')).status, 200);
    }
  });

  it('one caller\'s tag never validates another caller\'s different body', async () => {
    const dev = await get('/v0.1/servers', 'dev');
    const ops = await get('/v0.1/servers', 'ops');
    const [devBody, opsBody] = [await dev.text(), await ops.text()];
    assert.notEqual(devBody, opsBody, 'ops cannot see io.x/other');
    assert.equal((await get('/v0.1/servers', 'ops', dev.headers.get('etag') as string)).status, 200);
    // Identical bodies may share a tag: the tag is a function of the bytes a caller gets.
    const devDetail = await get('/v0.1/servers/com.acme%2Ftool/versions/latest', 'dev');
    const opsDetail = await get('/v0.1/servers/com.acme%2Ftool/versions/latest', 'ops');
    if ((await devDetail.text()) === (await opsDetail.text())) assert.equal(devDetail.headers.get('etag'), opsDetail.headers.get('etag'));
  });

  it('the tag changes exactly when that caller\'s response changes', async () => {
    const tags = new Map<string, string>();
    for (const path of ROUTES) tags.set(path, (await get(path, 'ops')).headers.get('etag') as string);
    const publicOnly = '/v0.1/servers?search=other';
    const devTag = (await get(publicOnly, 'dev')).headers.get('etag') as string;

    const status = await gw.get('/internal/v0.1/servers/com.acme%2Ftool/versions/1.0.0/status', {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${tokens.admin}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ status: 'deprecated', statusMessage: 'use 2.x' }),
    });
    assert.equal(status.status, 200);
    for (const path of ROUTES) {
      const res = await get(path, 'ops', tags.get(path));
      assert.equal(res.status, 200, `${path} after a status change of com.acme/tool`);
      await res.arrayBuffer();
    }
    assert.equal((await get(publicOnly, 'dev', devTag)).status, 304, 'a change to another name leaves this response alone');
  });

  it('conditional reads cost no body fetch: a 304 while Redis holds no body still answers', async () => {
    const res = await get('/v0.1/servers/com.acme%2Ftool/versions', 'dev');
    const etag = res.headers.get('etag') as string;
    await res.arrayBuffer();
    const keys = await gw.redis.keys(`*r:internal:e`);
    const saved = await gw.redis.dumpBuffer(keys[0] as string);
    await gw.redis.del(keys[0] as string);
    try {
      assert.equal((await get('/v0.1/servers/com.acme%2Ftool/versions', 'dev', etag)).status, 304);
    } finally {
      await gw.redis.restore(keys[0] as string, 0, saved);
    }
  });
});
