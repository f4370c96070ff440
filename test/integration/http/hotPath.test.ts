import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { server } from '../../helpers/corpus.js';
import { startTestGateway, tempDir, writeJson, type TestGateway } from '../../helpers/gateway.js';
import { startTestIdp, type TestIdp } from '../../helpers/idp.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';

// The read routes' canonical spellings are answered by the hot path (src/http/hotReads.ts) before
// express; express still answers every other spelling it accepts, such as another letter case.
// Whatever path a request takes, the response must be the same: status, body and every header.

/** The same route spelled so that express answers it (express matches paths case-insensitively). */
const viaExpress = (path: string) => path.replace('/v0.1/servers', '/V0.1/servers').replace('/v0/servers', '/V0/servers');
const VOLATILE = new Set(['date', 'x-request-id', 'keep-alive', 'connection']);

describe('read routes: the hot path answers exactly as express does', () => {
  let redis: TestRedis;
  let idp: TestIdp;
  let gw: TestGateway;
  const tokens: Record<string, string> = {};

  before(async () => {
    redis = await startTestRedis();
    idp = await startTestIdp([
      { id: 'dev', secret: 's1', groups: ['engineering'] },
      { id: 'ops', secret: 's2', groups: ['ops'] },
    ]);
    const dir = tempDir();
    writeJson(dir, 'public.json', [server('com.acme/tool', '0.9.0'), server('com.acme/tool', '1.0.0'), server('io.x/other', '1.0.0')]);
    writeJson(dir, 'mirror.json', [server('com.acme/tool', '0.8.0')]);
    gw = await startTestGateway({
      redisUrl: redis.url,
      prefix: redis.prefix(),
      dir,
      raw: {
        registries: [
          { name: 'public', type: 'file', path: 'public.json', watch: false },
          { name: 'mirror', type: 'file', path: 'mirror.json', watch: false },
        ],
        auth: { mode: 'oidc', oidc: { issuer: idp.issuer, audience: idp.audience } },
        access: { rules: [{ groups: ['engineering'], registries: ['*'] }, { groups: ['ops'], registries: ['public'], exclude: ['io.x/*'] }] },
      },
    });
    for (const id of ['dev', 'ops']) tokens[id] = await idp.token(id);
  });
  after(async () => {
    await gw?.close();
    await idp?.close();
    await redis?.stop();
  });

  async function both(path: string, headers: Record<string, string>) {
    const answers = [];
    for (const p of [path, viaExpress(path)]) {
      const res = await gw.get(p, { headers });
      const kept: Array<[string, string]> = [];
      res.headers.forEach((v, k) => kept.push([k, v]));
      const keptFiltered = kept.filter(([k]) => !VOLATILE.has(k));
      answers.push({ status: res.status, body: await res.text(), headers: keptFiltered, requestId: res.headers.get('x-request-id') });
    }
    return answers as [(typeof answers)[0], (typeof answers)[0]];
  }

  const CASES: Array<[string, string | undefined, Record<string, string>?]> = [
    ['/v0.1/servers', 'dev'],
    ['/v0/servers?limit=1', 'dev'],
    ['/v0.1/servers?search=tool&include_deleted=true', 'ops'],
    ['/v0.1/servers?updated_since=2000-01-01T00:00:00Z', 'dev'],
    ['/v0.1/servers/com.acme%2Ftool/versions', 'dev'],
    ['/v0.1/servers/com.acme/tool/versions/latest', 'dev'],
    ['/v0.1/servers/com.acme%2Ftool/versions/0.9.0?include_deleted=1', 'ops'],
    ['/mirror/v0.1/servers/com.acme%2Ftool/versions/0.8.0', 'dev'],
    // Errors: each is a problem+json body with the same code and headers on both paths.
    ['/v0.1/servers', undefined],
    ['/v0.1/servers', undefined, { Authorization: 'Bearer not-a-token' }],
    ['/v0.1/servers/io.x%2Fother/versions', 'ops'],
    ['/mirror/v0.1/servers', 'ops'],
    ['/nosuch/v0.1/servers', 'dev'],
    ['/v0.1/servers?limit=0', 'dev'],
    ['/v0.1/servers?limit=1&limit=2', 'dev'],
    ['/v0.1/servers?updated_since=yesterday', 'dev'],
    ['/v0.1/servers?cursor=forged', 'dev'],
    ['/v0.1/servers/com.acme%2Ftool/versions/9.9.9', 'dev'],
  ];

  for (const [path, who, extra] of CASES) {
    it(`${path} as ${who ?? 'anonymous'}${extra ? ' (bad token)' : ''}`, async () => {
      const headers = { ...(who ? { Authorization: `Bearer ${tokens[who]}` } : {}), ...extra };
      const [hot, slow] = await both(path, headers);
      assert.equal(hot.status, slow.status);
      assert.equal(hot.body, slow.body);
      assert.deepEqual(hot.headers, slow.headers);
      assert.match(hot.requestId ?? '', /^[0-9a-f-]{36}$/);
    });
  }

  it('a 304 and a caller-chosen request id are the same on both paths', async () => {
    const headers = { Authorization: `Bearer ${tokens.dev}`, 'X-Request-Id': 'trace-42' };
    const first = await gw.get('/v0.1/servers/com.acme%2Ftool/versions', { headers });
    await first.arrayBuffer();
    const [hot, slow] = await both('/v0.1/servers/com.acme%2Ftool/versions', { ...headers, 'If-None-Match': first.headers.get('etag') as string });
    assert.equal(hot.status, 304);
    assert.deepEqual(hot, slow);
    assert.equal(hot.requestId, 'trace-42');
  });
});
