import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { server } from '../../helpers/corpus.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { startTestIdp, type TestIdp } from '../../helpers/idp.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';

const OFFICIAL = 'io.modelcontextprotocol.registry/official';
interface Entry {
  server: { name: string; version: string; description?: string };
  _meta: Record<string, Record<string, unknown>>;
}

describe('write routes: invisible equals nonexistent, and nothing is parsed before authentication', () => {
  let redis: TestRedis;
  let idp: TestIdp;
  let gw: TestGateway;
  let tokens: Record<string, string>;

  before(async () => {
    redis = await startTestRedis();
    idp = await startTestIdp([
      { id: 'writer', secret: 's1', groups: ['writers'] },
      { id: 'reader', secret: 's2', groups: ['readers'] },
      { id: 'admin', secret: 's3', groups: ['registry-admins'] },
    ]);
    gw = await startTestGateway({
      redisUrl: redis.url,
      prefix: redis.prefix(),
      raw: {
        registries: [{ name: 'internal', type: 'managed' }],
        auth: { mode: 'oidc', oidc: { issuer: idp.issuer, audience: idp.audience } },
        access: {
          admins: ['registry-admins'],
          rules: [
            // The writer may publish anything under com.acme/ but may not see com.acme/secret*.
            { groups: ['writers'], registries: ['internal'], servers: ['com.acme/*'], exclude: ['com.acme/secret*'], publish: ['com.acme/*'] },
            { groups: ['readers'], registries: ['internal'] },
          ],
        },
        publish: { maxBodyBytes: 4096 },
      },
    });
    tokens = { writer: await idp.token('writer'), reader: await idp.token('reader'), admin: await idp.token('admin') };
    for (const v of ['1.0.0', '1.1.0']) {
      const r = await send('POST', '/internal/v0.1/publish', server('com.acme/secret-tool', v), 'admin');
      assert.equal(r.status, 200);
    }
    assert.equal((await send('PATCH', '/internal/v0.1/servers/com.acme%2Fsecret-tool/versions/1.0.0/status', { status: 'deprecated' }, 'admin')).status, 200);
  });
  after(async () => {
    await gw?.close();
    await idp?.close();
    await redis?.stop();
  });

  function send(method: string, path: string, body: unknown, who = 'writer', contentType = 'application/json') {
    return gw.get(path, {
      method,
      headers: { ...(who ? { Authorization: `Bearer ${tokens[who]}` } : {}), 'Content-Type': contentType },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  }
  const outcome = async (r: Response) => ({ status: r.status, type: r.headers.get('content-type'), body: await r.json() });

  it('every write to an existing name the caller cannot see answers exactly like a missing name', async () => {
    const cases: Array<[string, string, string, unknown]> = [
      ['status of one version', 'PATCH', '/internal/v0.1/servers/com.acme%2F{n}/versions/1.1.0/status', { status: 'deprecated' }],
      ['no-op status', 'PATCH', '/internal/v0.1/servers/com.acme%2F{n}/versions/1.0.0/status', { status: 'deprecated' }],
      ['status of all versions', 'PATCH', '/internal/v0.1/servers/com.acme%2F{n}/status', { status: 'deleted' }],
      ['edit', 'PUT', '/internal/v0.1/servers/com.acme%2F{n}/versions/1.1.0', server('com.acme/{n}', '1.1.0', { description: 'pwned' })],
      ['delete', 'DELETE', '/internal/v0.1/servers/com.acme%2F{n}/versions/1.1.0', undefined],
      ['duplicate publish', 'POST', '/internal/v0.1/publish', server('com.acme/{n}', '1.1.0')],
      ['new version publish', 'POST', '/internal/v0.1/publish', server('com.acme/{n}', '2.0.0')],
    ];
    const fill = (v: unknown, n: string): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v).replaceAll('{n}', n)));
    for (const [label, method, path, body] of cases) {
      const hidden = await outcome(await send(method, path.replace('{n}', 'secret-tool'), fill(body, 'secret-tool')));
      const missing = await outcome(await send(method, path.replace('{n}', 'secret-nothing'), fill(body, 'secret-nothing')));
      assert.equal(hidden.status, 404, `${label}: ${JSON.stringify(hidden)}`);
      assert.deepEqual(hidden, missing, label);
    }
    const versions = (await (await gw.get('/internal/v0.1/servers/com.acme%2Fsecret-tool/versions', { headers: { Authorization: `Bearer ${tokens.admin}` } })).json()) as { servers: Entry[] };
    assert.deepEqual(
      versions.servers.map((e) => `${e.server.version}:${e._meta[OFFICIAL]?.status}:${e.server.description}`).sort(),
      ['1.0.0:deprecated:Test server com.acme/secret-tool', '1.1.0:active:Test server com.acme/secret-tool'],
      'nothing was changed',
    );
  });

  it('a visible name still gets the precise answers (409 duplicate, 400 no-op)', async () => {
    assert.equal((await send('POST', '/internal/v0.1/publish', server('com.acme/open', '1.0.0'))).status, 200);
    assert.equal((await send('POST', '/internal/v0.1/publish', server('com.acme/open', '1.0.0'))).status, 409);
    assert.equal((await send('PATCH', '/internal/v0.1/servers/com.acme%2Fopen/versions/1.0.0/status', { status: 'active' })).status, 400);
  });

  it('the caller is authenticated, and must hold some write right, before the body is read', async () => {
    const garbage = '{"name": [[[';
    const big = JSON.stringify(server('com.acme/big', '1.0.0', { padding: 'x'.repeat(10_000) }));
    for (const [label, who, body, contentType] of [
      ['anonymous, malformed JSON', '', garbage, 'application/json'],
      ['anonymous, oversize body', '', big, 'application/json'],
      ['anonymous, wrong content type', '', garbage, 'text/plain'],
    ] as const) {
      const r = await send('POST', '/internal/v0.1/publish', body, who, contentType);
      assert.equal(r.status, 401, label);
      assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer /, label);
    }
    for (const [label, body, contentType] of [
      ['reader, malformed JSON', garbage, 'application/json'],
      ['reader, oversize body', big, 'application/json'],
      ['reader, wrong content type', garbage, 'text/plain'],
    ] as const) {
      const r = await send('POST', '/internal/v0.1/publish', body, 'reader', contentType);
      assert.equal(r.status, 403, label);
      assert.match(((await r.json()) as { detail: string }).detail, /no|none of your groups/, label);
      const patch = await send('PATCH', '/internal/v0.1/servers/com.acme%2Fopen/status', body, 'reader', contentType);
      assert.equal(patch.status, 403, `${label} (status route)`);
    }
    const invalid = await send('PATCH', '/internal/v0.1/servers/com.acme%2Fopen/status', garbage, 'writer');
    assert.equal(invalid.status, 400, 'a writer gets the parse error');
  });
});
