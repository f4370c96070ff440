import assert from 'node:assert/strict';
import { generateKeyPair, exportJWK } from 'jose';
import { after, before, describe, it } from 'node:test';
import { item, server } from '../../helpers/corpus.js';
import { listAll, startTestGateway, tempDir, writeJson, type TestGateway } from '../../helpers/gateway.js';
import { startTestIdp, type TestIdp } from '../../helpers/idp.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';

interface Entry {
  server: { name: string; version: string };
  _meta: Record<string, Record<string, unknown>>;
}
const GW = 'io.github.mcp-registry-gateway/federation';
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('OIDC bearer auth', () => {
  let redis: TestRedis;
  let idp: TestIdp;
  let gw: TestGateway;
  const logs: string[] = [];
  const tokensSeen: string[] = [];
  const now = () => Math.floor(Date.now() / 1000);

  before(async () => {
    redis = await startTestRedis();
    idp = await startTestIdp([
      { id: 'alice', secret: 'alice-secret', groups: ['engineering'] },
      { id: 'platform-bot', secret: 'platform-secret', groups: ['platform'] },
      { id: 'admin', secret: 'admin-secret', groups: ['registry-admins'] },
    ]);
    const dir = tempDir();
    writeJson(dir, 'internal.json', { servers: [item(server('com.acme/tool', '1.0.0')), item(server('com.acme/secret-sauce', '2.0.0'))] });
    writeJson(dir, 'official.json', [
      server('io.github.modelcontextprotocol/filesystem', '1.0.0'),
      server('io.github.other/x', '1.0.0'),
      server('io.github.untrusted/evil', '6.6.6'),
      server('com.acme/tool', '9.9.9'),
    ]);
    gw = await startTestGateway({
      redisUrl: redis.url,
      prefix: redis.prefix(),
      dir,
      env: { OIDC_SECRET: idp.introspection.secret },
      logs,
      raw: {
        registries: [
          { name: 'internal', type: 'file', path: 'internal.json', watch: false },
          { name: 'official', type: 'file', path: 'official.json', watch: false },
        ],
        auth: {
          mode: 'oidc',
          oidc: {
            issuer: idp.issuer,
            audience: [idp.audience, idp.opaqueAudience],
            groupsClaim: 'groups',
            clockTolerance: '2s',
            jwksCooldown: '1s',
            introspection: { clientId: idp.introspection.clientId, clientSecretEnv: 'OIDC_SECRET', cacheTtl: '60s' },
          },
        },
        access: {
          admins: ['registry-admins'],
          rules: [
            { groups: ['$anonymous'], registries: ['official'], servers: ['io.github.modelcontextprotocol/*'] },
            { groups: ['$authenticated'], registries: ['official'], servers: ['*'], exclude: ['io.github.untrusted/*'] },
            { groups: ['platform'], registries: ['internal'], publish: ['com.acme/*'] },
          ],
        },
      },
    });
  });
  after(async () => {
    await gw?.close();
    await idp?.close();
    await redis?.stop();
  });

  const get = (path: string, token?: string, header = 'Authorization') => {
    if (token) tokensSeen.push(token);
    return gw.get(path, token ? { headers: { [header]: `Bearer ${token}` } } : undefined);
  };
  const names = async (path: string, token?: string) => {
    const r = await get(path, token);
    assert.equal(r.status, 200, `${path}: ${r.status}`);
    return ((await r.json()) as { servers: Entry[] }).servers.map((s) => `${s.server.name}@${s.server.version}`);
  };

  async function expect401(token: string, pattern: RegExp, label: string) {
    const r = await get('/v0.1/servers', token);
    assert.equal(r.status, 401, label);
    assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8', label);
    const challenge = r.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /^Bearer realm="mcp-registry-gateway", error="invalid_token"/, label);
    assert.match(challenge, /resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource"/, label);
    const body = (await r.json()) as { detail: string };
    assert.match(body.detail, pattern, label);
    assert.ok(!body.detail.includes(token.slice(0, 20)), 'the token is not echoed');
  }

  it('a valid JWT access token from the IdP is accepted (Authorization and X-Authorization)', async () => {
    const token = await idp.token('alice');
    assert.equal(token.split('.').length, 3);
    assert.deepEqual(await names('/v0.1/servers', token), ['com.acme/tool@9.9.9', 'io.github.modelcontextprotocol/filesystem@1.0.0', 'io.github.other/x@1.0.0']);
    const viaX = await get('/v0.1/servers', token, 'X-Authorization');
    assert.equal(viaX.status, 200);
  });

  it('a verified token is remembered only until it expires (plus the clock tolerance, 2s here)', async () => {
    const token = await idp.sign({ iss: idp.issuer, aud: idp.audience, sub: 'brief', groups: ['registry-admins'], iat: now(), exp: now() + 1 });
    for (let i = 0; i < 3; i++) assert.equal((await get('/v0.1/servers', token)).status, 200, 'accepted, then served from the cache');
    await new Promise((r) => setTimeout(r, 4200));
    await expect401(token, /expired/, 'expired after being cached');
  });

  it('rejects every kind of bad token with 401 and an RFC 6750 challenge', async () => {
    const base = { iss: idp.issuer, aud: idp.audience, sub: 'mallory', groups: ['registry-admins'], iat: now() };
    await expect401(await idp.sign({ ...base, exp: now() - 60 }), /expired/, 'expired');
    await expect401(await idp.sign({ ...base, exp: now() + 600, nbf: now() + 600 }), /not valid yet/, 'not yet valid');
    await expect401(await idp.sign({ ...base, iss: 'https://evil.example.com', exp: now() + 600 }), /issuer this gateway does not trust/, 'wrong issuer');
    await expect401(await idp.sign({ ...base, aud: 'https://someone-else.test/', exp: now() + 600 }), /audience/, 'wrong audience');
    await expect401(await idp.sign({ ...base }), /claim is invalid|exp/, 'no exp');
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...base, exp: now() + 600 })}.`;
    await expect401(none, /algorithm|malformed/, 'alg none');
    const pub = idp.publicJwk();
    const hmacKey = { kty: 'oct', k: Buffer.from(JSON.stringify(pub)).toString('base64url') };
    await expect401(await idp.sign({ ...base, exp: now() + 600 }, { key: hmacKey, alg: 'HS256', kid: pub.kid as string }), /algorithm/, 'HS256 with the public key');
    const good = await idp.sign({ ...base, exp: now() + 600 });
    const [h, p, s] = good.split('.') as [string, string, string];
    await expect401(`${h}.${p}.${s.slice(0, -4)}AAAA`, /signature/, 'bad signature');
    await expect401(`${h}.${b64({ ...base, exp: now() + 600, sub: 'root' })}.${s}`, /signature/, 'tampered payload');
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const stranger = { ...(await exportJWK(privateKey)), kid: 'unknown-kid', alg: 'RS256' };
    await expect401(await idp.sign({ ...base, exp: now() + 600 }, { key: stranger }), /unknown key/, 'unknown kid');
    await expect401('garbage.garbage.garbage', /malformed/, 'garbage JWT');
    await expect401('not-a-jwt-and-not-active', /not active/, 'garbage opaque');
    const oversize = await get('/v0.1/servers', 'x'.repeat(9000));
    assert.equal(oversize.status, 401);
    assert.match(oversize.headers.get('www-authenticate') ?? '', /error="invalid_request"/);
    const basic = await gw.get('/v0.1/servers', { headers: { Authorization: 'Basic YWxpY2U6c2VjcmV0' } });
    assert.equal(basic.status, 401);
  });

  it('opaque tokens are checked by introspection and cached', async () => {
    const token = await idp.opaqueToken('platform-bot');
    assert.notEqual(token.split('.').length, 3);
    const before = idp.counts.introspection;
    assert.deepEqual(await names('/v0.1/servers', token), [
      'com.acme/secret-sauce@2.0.0',
      'com.acme/tool@1.0.0',
      'io.github.modelcontextprotocol/filesystem@1.0.0',
      'io.github.other/x@1.0.0',
    ]);
    await names('/v0.1/servers', token);
    await names('/internal/v0.1/servers', token);
    assert.equal(idp.counts.introspection - before, 1, 'introspected once, then served from the cache');
  });

  it('anonymous callers get the $anonymous subset; invisible is 404 exactly like nonexistent', async () => {
    assert.deepEqual(await names('/v0.1/servers'), ['io.github.modelcontextprotocol/filesystem@1.0.0']);
    const hidden = await gw.get('/v0.1/servers/io.github.other%2Fx/versions/latest');
    const missing = await gw.get('/v0.1/servers/io.github.nope%2Fx/versions/latest');
    assert.equal(hidden.status, 404);
    assert.equal(missing.status, 404);
    assert.deepEqual(await hidden.json(), await missing.json());
    const hiddenReg = await gw.get('/internal/v0.1/servers');
    const missingReg = await gw.get('/nope/v0.1/servers');
    assert.equal(hiddenReg.status, 404);
    assert.equal(missingReg.status, 404);
  });

  it('aggregation ownership is per caller: an invisible internal name never leaks, a visible one wins', async () => {
    const alice = await idp.token('alice');
    const platform = await idp.token('platform-bot');
    const aliceView = (await (await get('/v0.1/servers/com.acme%2Ftool/versions/latest', alice)).json()) as Entry;
    assert.equal(aliceView.server.version, '9.9.9');
    assert.deepEqual(aliceView._meta[GW]?.alsoIn, [], 'alsoIn does not reveal the internal registry');
    const platformView = (await (await get('/v0.1/servers/com.acme%2Ftool/versions/latest', platform)).json()) as Entry;
    assert.equal(platformView.server.version, '1.0.0');
    assert.deepEqual(platformView._meta[GW]?.alsoIn, ['official']);
  });

  it('every read surface applies the same visibility', async () => {
    const alice = await idp.token('alice');
    assert.deepEqual(await names('/v0.1/servers?search=evil', alice), []);
    assert.deepEqual(await names('/v0.1/servers?search=untrusted&include_deleted=true', alice), []);
    assert.deepEqual(await names('/v0.1/servers?version=latest', alice), ['com.acme/tool@9.9.9', 'io.github.modelcontextprotocol/filesystem@1.0.0', 'io.github.other/x@1.0.0']);
    assert.deepEqual(await names('/v0.1/servers?updated_since=2000-01-01T00:00:00Z', alice), ['com.acme/tool@9.9.9', 'io.github.modelcontextprotocol/filesystem@1.0.0', 'io.github.other/x@1.0.0']);
    assert.deepEqual(await names('/v0.1/servers?version=6.6.6', alice), []);
    assert.equal((await get('/v0.1/servers/io.github.untrusted%2Fevil/versions', alice)).status, 404);
    assert.equal((await get('/official/v0.1/servers/io.github.untrusted%2Fevil/versions/6.6.6', alice)).status, 404);
    assert.equal((await get('/internal/v0.1/servers', alice)).status, 404);
    const page1 = (await (await get('/v0.1/servers?limit=1', alice)).json()) as { servers: Entry[]; metadata: { count: number; nextCursor?: string } };
    assert.equal(page1.metadata.count, 1);
    const rest = await names(`/v0.1/servers?limit=1&cursor=${encodeURIComponent(page1.metadata.nextCursor as string)}`, alice);
    assert.deepEqual(rest, ['io.github.modelcontextprotocol/filesystem@1.0.0'], 'pages are full: no gap where the hidden names sort');
  });

  it('admin routes: 401 with a challenge for anonymous, 403 for non-admins, 200 for admins; audit-logged', async () => {
    const anon = await gw.get('/v0.1/registries');
    assert.equal(anon.status, 401);
    assert.match(anon.headers.get('www-authenticate') ?? '', /^Bearer realm="mcp-registry-gateway", resource_metadata=/);
    assert.equal((await get('/v0.1/registries', await idp.token('alice'))).status, 403);
    const admin = await get('/v0.1/registries', await idp.token('admin'));
    assert.equal(admin.status, 200);
    const body = (await admin.json()) as { registries: Array<{ name: string }> };
    assert.deepEqual(body.registries.map((r) => r.name), ['internal', 'official']);
    assert.deepEqual(await names('/v0.1/servers?search=evil', await idp.token('admin')), ['io.github.untrusted/evil@6.6.6'], 'admins see everything');
  });

  it('logs audit lines for admin actions and denials, and never a token', async () => {
    const admin = await idp.token('admin');
    await get('/v0.1/registries/internal/sync', admin);
    await gw.get('/v0.1/registries/internal/sync', { method: 'POST', headers: { Authorization: `Bearer ${admin}` } });
    tokensSeen.push(admin);
    await get('/v0.1/registries', await idp.token('alice'));
    const audit = logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.message === 'audit');
    assert.ok(audit.some((l) => l.action === 'registries.sync' && l.outcome === 'accepted' && l.subject === 'admin'), JSON.stringify(audit));
    assert.ok(audit.some((l) => l.action === 'registries.list' && l.outcome === 'denied' && l.subject === 'alice'));
    const all = logs.join('\n');
    for (const t of tokensSeen) {
      assert.ok(!all.includes(t.slice(-24)), 'no token (or token tail) in any log line');
    }
    assert.ok(logs.some((l) => l.includes('"subject":"alice"')), 'request lines name the subject');
  });

  it('JWKS rotation: tokens signed with a new key verify after one refresh', async () => {
    await idp.rotateKeys();
    // The unknown-kid test above just refreshed the key set; refreshes are rate-limited.
    await new Promise((r) => setTimeout(r, 1100));
    const jwksBefore = idp.counts.jwks;
    const token = await idp.token('alice');
    assert.equal(JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString()).kid, 'key-2');
    assert.equal((await get('/v0.1/servers', token)).status, 200);
    assert.equal((await get('/v0.1/servers', token)).status, 200);
    assert.equal(idp.counts.jwks - jwksBefore, 1, 'one refresh for the new kid, then cached');
  });

  it('serves RFC 9728 protected-resource metadata', async () => {
    const meta = (await (await gw.get('/.well-known/oauth-protected-resource')).json()) as Record<string, unknown>;
    assert.equal(meta.resource, gw.url);
    assert.deepEqual(meta.authorization_servers, [idp.issuer]);
    assert.deepEqual(meta.bearer_methods_supported, ['header']);
    assert.deepEqual(meta.scopes_supported, ['mcp-registry:read', 'mcp-registry:write']);
  });

  it('health, readiness, docs and metadata stay open without a token', async () => {
    for (const p of ['/v0.1/health', '/livez', '/readyz', '/openapi.json', '/.well-known/oauth-protected-resource']) {
      assert.equal((await gw.get(p)).status, 200, p);
    }
  });

  it('rows returned for a visible registry are complete even when most names are hidden', async () => {
    const rows = await listAll<Entry>(gw, '/official/v0.1/servers');
    assert.deepEqual(rows.map((r) => r.server.name), ['io.github.modelcontextprotocol/filesystem']);
  });
});

describe('OIDC without an $anonymous rule', () => {
  let redis: TestRedis;
  let idp: TestIdp;
  let gw: TestGateway;

  before(async () => {
    redis = await startTestRedis();
    idp = await startTestIdp([{ id: 'alice', secret: 'alice-secret', groups: [] }]);
    const dir = tempDir();
    writeJson(dir, 'r.json', [server('io.x/a', '1.0.0')]);
    gw = await startTestGateway({
      redisUrl: redis.url,
      prefix: redis.prefix(),
      dir,
      raw: {
        registries: [{ name: 'r', type: 'file', path: 'r.json', watch: false }],
        auth: { mode: 'oidc', oidc: { issuer: idp.issuer, audience: idp.audience } },
        access: { rules: [{ groups: ['$authenticated'] }] },
      },
    });
  });
  after(async () => {
    await gw?.close();
    await idp?.close();
    await redis?.stop();
  });

  it('with no rules at all, authenticated callers see everything and anonymous ones must authenticate', async () => {
    const open = await startTestGateway({
      redisUrl: redis.url,
      prefix: redis.prefix(),
      raw: {
        registries: [{ name: 'r', type: 'file', path: gw.fileSources[0]?.config.path as string, watch: false }],
        auth: { mode: 'oidc', oidc: { issuer: idp.issuer, audience: idp.audience } },
      },
    });
    try {
      assert.equal((await open.get('/v0.1/servers')).status, 401);
      const ok = await open.get('/v0.1/servers', { headers: { Authorization: `Bearer ${await idp.token('alice')}` } });
      assert.equal(ok.status, 200);
      assert.equal(((await ok.json()) as { servers: unknown[] }).servers.length, 1);
    } finally {
      await open.close();
    }
  });

  it('anonymous requests get 401 with a challenge instead of an empty catalogue', async () => {
    const r = await gw.get('/v0.1/servers');
    assert.equal(r.status, 401);
    assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer realm=/);
    const ok = await gw.get('/v0.1/servers', { headers: { Authorization: `Bearer ${await idp.token('alice')}` } });
    assert.equal(ok.status, 200);
  });
});
