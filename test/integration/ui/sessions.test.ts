import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../../../src/config/loader.js';
import { ConfigError, ServiceUnavailableError } from '../../../src/errors.js';
import { sessionCookie } from '../../../src/ui/sessionCookie.js';
import { SessionStore, SIGN_INS_PER_MINUTE, type UiSession } from '../../../src/ui/SessionStore.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';

const session = (createdAt: number): UiSession => ({ subject: 'alice', accessToken: 'at', accessExpiresAt: createdAt + 60_000, csrfToken: 'c', createdAt });

describe('console sessions in Redis', () => {
  let redis: TestRedis;
  let gw: TestGateway;

  before(async () => {
    redis = await startTestRedis();
    gw = await startTestGateway({ redisUrl: redis.url, prefix: redis.prefix(), raw: { registries: [{ name: 'internal', type: 'managed' }] } });
  });
  after(async () => {
    await gw?.close();
    await redis?.stop();
  });

  it('keeps sessions under the prefix hash tag, keyed by a hash of the cookie, with idle and lifetime limits', async () => {
    const client = redis.client();
    const prefix = redis.prefix();
    const store = new SessionStore(client, `{${prefix}}:`, { lifetimeMs: 60_000, idleMs: 300 });
    const id = await store.create(session(Date.now()));
    assert.ok(id.length >= 43, 'a 256-bit id');
    const keys = await client.keys(`{${prefix}}:ui:session:*`);
    assert.equal(keys.length, 1);
    assert.ok(!keys[0]?.includes(id), 'the key does not contain the cookie value');
    assert.equal((await store.get(id))?.subject, 'alice');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await store.get(id))?.subject, 'alice', 'use restarts the idle timer');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await store.get(id))?.subject, 'alice', 'still alive: 400 ms since sign-in, 200 ms idle');
    await new Promise((r) => setTimeout(r, 450));
    assert.equal(await store.get(id), undefined, 'idle expiry');

    const old = new SessionStore(client, `{${prefix}}:`, { lifetimeMs: 1000, idleMs: 60_000 });
    const signedInLongAgo = await old.create(session(Date.now() - 999));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(await old.get(signedInLongAgo), undefined, 'lifetime caps the session whatever its activity');
  });

  it('a pending sign-in can be taken once', async () => {
    const store = new SessionStore(redis.client(), `{${redis.prefix()}}:`, { lifetimeMs: 60_000, idleMs: 60_000 });
    await store.savePending('state-1', { codeVerifier: 'v', nonce: 'n', returnTo: '#/' });
    assert.equal((await store.takePending('state-1'))?.codeVerifier, 'v');
    assert.equal(await store.takePending('state-1'), undefined, 'no replay');
  });

  it('bounds how many sign-ins may start per minute (unauthenticated writes to Redis)', async () => {
    const client = redis.client();
    const store = new SessionStore(client, `{${redis.prefix()}}:`, { lifetimeMs: 60_000, idleMs: 60_000 });
    const minute = Date.parse('2026-01-01T00:00:00Z');
    for (let i = 0; i < SIGN_INS_PER_MINUTE; i++) await store.savePending(`s${i}`, { codeVerifier: 'v', nonce: 'n', returnTo: '#/' }, minute + 1000);
    await assert.rejects(store.savePending('one-more', { codeVerifier: 'v', nonce: 'n', returnTo: '#/' }, minute + 2000), (e: unknown) => e instanceof ServiceUnavailableError);
    assert.equal(await store.takePending('one-more'), undefined, 'nothing stored past the limit');
    await store.savePending('next-minute', { codeVerifier: 'v', nonce: 'n', returnTo: '#/' }, minute + 61_000);
    assert.ok(await store.takePending('next-minute'));
  });

  it('cookies are Secure and __Host- prefixed unless publicUrl is http on loopback', () => {
    const settings = { cookieName: 'mcpgw_session', sameSite: 'lax' as const, lifetime: 3_600_000 };
    const https = sessionCookie('https://gw.example.com', settings);
    assert.equal(https.name, '__Host-mcpgw_session');
    assert.equal(https.set('abc'), '__Host-mcpgw_session=abc; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=3600');
    assert.match(https.clear(), /Max-Age=0/);
    assert.equal(sessionCookie('http://gw.example.com', settings).secure, true, 'plain http elsewhere still marks it Secure');
    const local = sessionCookie('http://localhost:8080', { ...settings, sameSite: 'strict' });
    assert.equal(local.name, 'mcpgw_session');
    assert.equal(local.set('abc'), 'mcpgw_session=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600');
    assert.equal(local.read('a=1; mcpgw_session=abc; b=2'), 'abc');
  });

  it('without auth.oidc.ui there is no sign-in: /ui/auth/login is a 404 problem, /ui/session says so', async () => {
    const login = await gw.get('/ui/auth/login');
    assert.equal(login.status, 404);
    assert.equal(login.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    const { status, body } = await gw.json<Record<string, unknown>>('/ui/session');
    assert.equal(status, 200);
    assert.deepEqual(body, { authMode: 'none', signInAvailable: false, signedIn: false, user: null, admin: false, registries: [{ name: 'internal', type: 'managed' }], publishTo: [], csrfToken: null });
  });

  it('config: ui keys are validated and the console client secret must be set', () => {
    const raw = (extra: Record<string, unknown>) => ({ registries: [{ name: 'internal', type: 'managed' }], ...extra });
    assert.throws(() => parseConfig(raw({ ui: { session: { sameSite: 'none' } } }), '/x/gw.yaml', {}), (e: unknown) => e instanceof ConfigError && /ui\.session\.sameSite/.test(String(e.message) + JSON.stringify(e)));
    const oidc = { mode: 'oidc', oidc: { issuer: 'https://idp.example.com', audience: 'gw', ui: { clientId: 'mcp-console', clientSecretEnv: 'UI_SECRET' } } };
    assert.throws(() => parseConfig(raw({ auth: oidc }), '/x/gw.yaml', {}), (e: unknown) => e instanceof ConfigError && /ui\.clientSecretEnv: environment variable UI_SECRET is not set/.test(JSON.stringify((e as ConfigError).problems)));
    const config = parseConfig(raw({ auth: oidc }), '/x/gw.yaml', { UI_SECRET: 's' });
    assert.deepEqual(config.ui, { enabled: true, session: { lifetime: 8 * 3_600_000, idleTimeout: 3_600_000, cookieName: 'mcpgw_session', sameSite: 'lax' } });
    assert.doesNotThrow(() => parseConfig(raw({ auth: oidc, ui: { enabled: false } }), '/x/gw.yaml', {}), 'no secret needed with the console off');
  });
});
