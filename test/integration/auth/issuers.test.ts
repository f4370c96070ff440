import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { server } from '../../helpers/corpus.js';
import { startTestGateway, tempDir, writeJson, type TestGateway } from '../../helpers/gateway.js';
import { startTestIdp, type TestIdp } from '../../helpers/idp.js';
import { rawRequest } from '../../helpers/rawHttp.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';

const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });

describe('several issuers: opaque tokens to one issuer, coalesced, bounded caches; groups per issuer', () => {
  let redis: TestRedis;
  let main: TestIdp;
  let partner: TestIdp;
  let gw: TestGateway;
  let untrusting: TestGateway;
  const dir = tempDir();

  const issuers = (partnerExtra: Record<string, unknown>) => [
    {
      issuer: main.issuer,
      audience: [main.audience, main.opaqueAudience],
      introspection: { clientId: main.introspection.clientId, clientSecretEnv: 'MAIN_SECRET', cacheMaxEntries: 3 },
    },
    {
      issuer: partner.issuer,
      audience: [partner.audience, partner.opaqueAudience],
      introspection: { clientId: partner.introspection.clientId, clientSecretEnv: 'PARTNER_SECRET' },
      ...partnerExtra,
    },
  ];

  before(async () => {
    redis = await startTestRedis();
    main = await startTestIdp([
      { id: 'alice', secret: 'a', groups: ['engineering'] },
      { id: 'bot', secret: 'b', groups: [] },
      { id: 'admin', secret: 'c', groups: ['registry-admins'] },
    ]);
    partner = await startTestIdp([
      { id: 'mallory', secret: 'm', groups: ['registry-admins'] },
      { id: 'pat', secret: 'p', groups: ['engineering'] },
    ]);
    writeJson(dir, 'pub.json', [server('io.pub/a', '1.0.0')]);
    writeJson(dir, 'secret.json', [server('io.secret/a', '1.0.0')]);
    const env = { MAIN_SECRET: main.introspection.secret, PARTNER_SECRET: partner.introspection.secret };
    const registries = [
      { name: 'pub', type: 'file', path: 'pub.json', watch: false },
      { name: 'secret', type: 'file', path: 'secret.json', watch: false },
    ];
    gw = await startTestGateway({
      redisUrl: redis.url,
      prefix: redis.prefix(),
      dir,
      env,
      raw: {
        registries,
        auth: { mode: 'oidc', oidc: issuers({ trustGroups: true, groupPrefix: 'partner:' }) },
        access: {
          admins: ['registry-admins'],
          rules: [
            { groups: ['$authenticated'], registries: ['pub'] },
            { groups: ['partner:registry-admins', 'engineering'], registries: ['secret'] },
          ],
        },
      },
    });
    untrusting = await startTestGateway({
      redisUrl: redis.url,
      prefix: redis.prefix(),
      dir,
      env,
      raw: {
        registries,
        auth: { mode: 'oidc', oidc: issuers({}) },
        access: { admins: ['registry-admins'], rules: [{ groups: ['$authenticated'], registries: ['pub'] }, { groups: ['engineering'], registries: ['secret'] }] },
      },
    });
  });
  after(async () => {
    await gw?.close();
    await untrusting?.close();
    await main?.close();
    await partner?.close();
    await redis?.stop();
  });

  it('a partner token carrying registry-admins is not an admin; its groups count only under the partner prefix', async () => {
    const mallory = await partner.token('mallory');
    assert.equal((await gw.get('/v0.1/registries', bearer(mallory))).status, 403);
    assert.equal((await gw.get('/v0.1/registries', bearer(await main.token('admin')))).status, 200);
    assert.equal((await gw.get('/secret/v0.1/servers', bearer(mallory))).status, 200, 'partner:registry-admins opens secret');
    assert.equal((await gw.get('/secret/v0.1/servers', bearer(await partner.token('pat')))).status, 404, 'partner engineering is partner:engineering');
    assert.equal((await gw.get('/secret/v0.1/servers', bearer(await main.token('alice')))).status, 200);
  });

  it('by default only the first issuer\'s groups count', async () => {
    assert.equal((await untrusting.get('/v0.1/registries', bearer(await partner.token('mallory')))).status, 403);
    assert.equal((await untrusting.get('/secret/v0.1/servers', bearer(await partner.token('pat')))).status, 404);
    assert.equal((await untrusting.get('/pub/v0.1/servers', bearer(await partner.token('pat')))).status, 200, 'still authenticated');
    assert.equal((await untrusting.get('/secret/v0.1/servers', bearer(await main.token('alice')))).status, 200);
  });

  it('an opaque token goes to the first introspecting issuer only, never to the others', async () => {
    const m = main.counts.introspection;
    const p = partner.counts.introspection;
    assert.equal((await gw.get('/v0.1/servers', bearer('opaque-garbage-token-1'))).status, 401);
    assert.equal((await gw.get('/v0.1/servers', bearer(await partner.opaqueToken('pat')))).status, 401, 'partner opaque tokens are not accepted');
    assert.equal(main.counts.introspection - m, 2);
    assert.equal(partner.counts.introspection - p, 0, 'the partner IdP never saw a token');
    assert.equal((await gw.get('/v0.1/servers', bearer(await main.opaqueToken('bot')))).status, 200);
  });

  it('concurrent requests with one token share one introspection', async () => {
    const token = await main.opaqueToken('bot');
    const before = main.counts.introspection;
    const results = await Promise.all(Array.from({ length: 12 }, () => gw.get('/v0.1/servers', bearer(token))));
    assert.deepEqual(new Set(results.map((r) => r.status)), new Set([200]));
    assert.equal(main.counts.introspection - before, 1);
    const bad = 'opaque-garbage-token-2';
    const beforeBad = main.counts.introspection;
    await Promise.all(Array.from({ length: 12 }, () => gw.get('/v0.1/servers', bearer(bad))));
    await gw.get('/v0.1/servers', bearer(bad));
    assert.equal(main.counts.introspection - beforeBad, 1, 'rejections are coalesced and cached too');
  });

  it('rejected tokens have their own cache: a flood of bad tokens evicts no valid one', async () => {
    const valid = [await main.opaqueToken('bot'), await main.opaqueToken('alice'), await main.opaqueToken('admin')];
    for (const t of valid) assert.equal((await gw.get('/v0.1/servers', bearer(t))).status, 200);
    for (let i = 0; i < 20; i++) assert.equal((await gw.get('/v0.1/servers', bearer(`flood-${i}`))).status, 401);
    const before = main.counts.introspection;
    for (const t of valid) assert.equal((await gw.get('/v0.1/servers', bearer(t))).status, 200);
    assert.equal(main.counts.introspection - before, 0, 'all three still cached (cacheMaxEntries: 3)');
  });

  it('the RFC 9728 resource never comes from the Host header', async () => {
    const r = await rawRequest(gw.url, ['GET /.well-known/oauth-protected-resource HTTP/1.1\r\nHost: evil.example\r\nX-Forwarded-Host: evil.example\r\nConnection: close\r\n\r\n']);
    assert.equal(r.status, 200);
    const meta = JSON.parse(r.body) as { resource: string; resource_documentation: string };
    assert.equal(meta.resource, gw.url);
    assert.equal(meta.resource_documentation, `${gw.url}/docs`);
  });
});

describe('introspection client authentication', () => {
  let redis: TestRedis;
  let idp: TestIdp;
  const started: TestGateway[] = [];

  before(async () => {
    redis = await startTestRedis();
    idp = await startTestIdp([{ id: 'bot', secret: 'b', groups: [] }]);
  });
  after(async () => {
    for (const g of started) await g.close();
    await idp?.close();
    await redis?.stop();
  });

  const start = async (authMethod: string | undefined, logs: string[], secret = idp.introspection.secret) => {
    const dir = tempDir();
    writeJson(dir, 'pub.json', [server('io.pub/a', '1.0.0')]);
    const g = await startTestGateway({
      redisUrl: redis.url,
      prefix: redis.prefix(),
      dir,
      logs,
      env: { GW_SECRET: secret },
      raw: {
        registries: [{ name: 'pub', type: 'file', path: 'pub.json', watch: false }],
        auth: {
          mode: 'oidc',
          oidc: { issuer: idp.issuer, audience: [idp.audience, idp.opaqueAudience], introspection: { clientId: idp.introspection.clientId, clientSecretEnv: 'GW_SECRET', ...(authMethod ? { authMethod } : {}) } },
        },
        access: { rules: [{ groups: ['$authenticated'] }] },
      },
    });
    started.push(g);
    return g;
  };

  it('client_secret_post is offered and works (basic stays the default)', async () => {
    const post = await start('client_secret_post', []);
    let total = idp.counts.introspection;
    let basic = idp.counts.introspectionWithBasicAuth;
    assert.equal((await post.get('/v0.1/servers', bearer(await idp.opaqueToken('bot')))).status, 200);
    assert.equal(idp.counts.introspection - total, 1);
    assert.equal(idp.counts.introspectionWithBasicAuth - basic, 0, 'credentials went in the body');
    const byDefault = await start(undefined, []);
    total = idp.counts.introspection;
    basic = idp.counts.introspectionWithBasicAuth;
    assert.equal((await byDefault.get('/v0.1/servers', bearer(await idp.opaqueToken('bot')))).status, 200);
    assert.equal(idp.counts.introspectionWithBasicAuth - basic, 1);
    assert.equal(idp.counts.introspection - total, 1);
  });

  it('credentials the IdP rejects are logged and counted as invalid_client, not as an unreachable IdP', async () => {
    const logs: string[] = [];
    const gw = await start(undefined, logs, 'not-the-secret');
    const r = await gw.get('/v0.1/servers', bearer(await idp.opaqueToken('bot')));
    assert.equal(r.status, 503);
    assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.match(((await r.json()) as { detail: string }).detail, /rejected this gateway's introspection credentials/);
    const lines = logs.map((l) => JSON.parse(l) as { level: string; message: string });
    assert.ok(lines.some((l) => l.level === 'error' && l.message === 'introspection client rejected: invalid_client; check clientId/clientSecretEnv'), logs.join('\n'));
    assert.ok(!lines.some((l) => /unreachable/i.test(l.message)));
    const metrics = await (await gw.get('/metrics')).text();
    assert.match(metrics, new RegExp(`mcpgw_oidc_introspection_failures_total\\{issuer="${idp.issuer}",reason="invalid_client"\\} 1`));
  });
});

describe('auth.requiredScopes', () => {
  let redis: TestRedis;
  let idp: TestIdp;
  let gw: TestGateway;

  before(async () => {
    redis = await startTestRedis();
    idp = await startTestIdp([{ id: 'bot', secret: 'b', groups: ['platform'] }]);
    gw = await startTestGateway({
      redisUrl: redis.url,
      prefix: redis.prefix(),
      raw: {
        registries: [{ name: 'internal', type: 'managed' }],
        auth: { mode: 'oidc', oidc: { issuer: idp.issuer, audience: idp.audience }, requiredScopes: { read: 'mcp-registry:read', write: 'mcp-registry:write' } },
        access: { rules: [{ groups: ['platform'], registries: ['internal'], publish: ['com.acme/*'] }] },
      },
    });
  });
  after(async () => {
    await gw?.close();
    await idp?.close();
    await redis?.stop();
  });

  const publish = (token: string, version: string) =>
    gw.get('/internal/v0.1/publish', { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(server('com.acme/tool', version)) });

  it('a read-only token reads but cannot write: 403 with an insufficient_scope challenge', async () => {
    const token = await idp.token('bot', 'mcp-registry:read');
    assert.equal((await gw.get('/internal/v0.1/servers', bearer(token))).status, 200);
    const r = await publish(token, '1.0.0');
    assert.equal(r.status, 403);
    assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer realm="mcp-registry-gateway", error="insufficient_scope", error_description="[^"]+", scope="mcp-registry:write", resource_metadata="/);
  });

  it('a token with the write scope writes (and reads)', async () => {
    const token = await idp.token('bot', 'mcp-registry:read mcp-registry:write');
    assert.equal((await publish(token, '1.0.0')).status, 200);
    const writeOnly = await idp.token('bot', 'mcp-registry:write');
    assert.equal((await gw.get('/internal/v0.1/servers', bearer(writeOnly))).status, 200);
    assert.equal((await publish(writeOnly, '1.0.1')).status, 200);
  });

  it('a token without scopes cannot read', async () => {
    const token = await idp.token('bot', '');
    const r = await gw.get('/internal/v0.1/servers', bearer(token));
    assert.equal(r.status, 403);
    assert.match(r.headers.get('www-authenticate') ?? '', /error="insufficient_scope".*scope="mcp-registry:read"/);
  });
});
