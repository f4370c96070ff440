import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { guardedStore } from '../../../src/catalog/storeUnavailable.js';
import { FakeAuthenticator, FakeRegistryAdmin, principal } from './support/fakes.js';
import { startFakeApp, type FakeApp } from './support/testApp.js';

const AUTH = {
  auth: { mode: 'oidc', oidc: { issuer: 'https://idp.example', audience: 'gateway' } },
  access: { admins: ['registry-admins'], rules: [{ groups: ['$authenticated'], registries: ['*'] }] },
};
const tokens = { admin: principal('root', ['registry-admins']), alice: principal('alice', ['dev']) };
const bearer = (t: string) => ({ headers: { Authorization: `Bearer ${t}` } });

describe('admin registry routes on fakes (auth on)', () => {
  let app: FakeApp;
  before(async () => {
    app = await startFakeApp({ raw: AUTH, authenticator: new FakeAuthenticator(tokens) });
  });
  after(() => app.close());

  it('lists and gets registries for an admin', async () => {
    const list = await app.call('GET', '/v0.1/registries', bearer('admin'));
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.registries.map((r: { name: string }) => r.name), ['internal', 'official']);
    const one = await app.call('GET', '/v0.1/registries/official', bearer('admin'));
    assert.equal(one.body.type, 'file');
    const missing = await app.call('GET', '/v0.1/registries/nope', bearer('admin'));
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'NOT_FOUND');
  });

  it('accepts a sync (202) and refuses one for a managed registry (409)', async () => {
    const accepted = await app.call('POST', '/v0.1/registries/official/sync?full=true', bearer('admin'));
    assert.equal(accepted.status, 202);
    assert.deepEqual({ ...accepted.body, syncStatus: undefined }, { accepted: true, registry: 'official', full: true, syncStatus: undefined });
    assert.deepEqual(app.registries.syncs.at(-1), { name: 'official', full: true });
    const managed = await app.call('POST', '/v0.1/registries/internal/sync', bearer('admin'));
    assert.equal(managed.status, 409);
    assert.equal(managed.body.code, 'CONFLICT');
  });

  it('the one 401 gate: anonymous callers are challenged, authenticated non-admins get 403', async () => {
    const anonymous = await app.call('GET', '/v0.1/registries');
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('www-authenticate'), FakeAuthenticator.CHALLENGE);
    assert.equal(anonymous.body.code, 'AUTHENTICATION_ERROR');
    const reads = await app.call('GET', '/v0.1/servers');
    assert.equal(reads.status, 401, 'no $anonymous rule: reads are challenged too');
    const alice = await app.call('GET', '/v0.1/registries', bearer('alice'));
    assert.equal(alice.status, 403);
    assert.equal(alice.body.code, 'FORBIDDEN');
    const bad = await app.call('GET', '/v0.1/registries', bearer('forged'));
    assert.equal(bad.status, 401);
    assert.equal(bad.body.code, 'AUTHENTICATION_ERROR');
  });

  it('authenticated reads vary by credentials and are cached privately', async () => {
    const r = await app.call('GET', '/v0.1/servers', bearer('alice'));
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('cache-control'), 'private, no-cache');
    assert.equal(r.headers.get('vary'), 'Authorization, X-Authorization');
  });
});

describe('the store guard on fakes', () => {
  it('a store failure behind guardedStore is a 503 with Retry-After and no internals; a bug is a 500 naming only the request id', async () => {
    const failing = new FakeRegistryAdmin([{ name: 'internal', type: 'managed' } as never]);
    failing.failure = new Error('connect ECONNREFUSED 127.0.0.1:6379');
    const app = await startFakeApp({ raw: { access: { admins: ['$anonymous'] } }, registries: guardedStore(failing) });
    try {
      const r = await app.call('GET', '/v0.1/registries');
      assert.equal(r.status, 503);
      assert.equal(r.headers.get('retry-after'), '5');
      assert.deepEqual(r.body, {
        title: 'Service Unavailable',
        status: 503,
        detail: 'The catalogue store is temporarily unavailable. Retry shortly.',
        code: 'SERVICE_UNAVAILABLE',
      });
    } finally {
      await app.close();
    }
    const buggy = new FakeRegistryAdmin([]);
    buggy.failure = new TypeError("Cannot read properties of undefined (reading 'x')");
    const app2 = await startFakeApp({ raw: { access: { admins: ['$anonymous'] } }, registries: buggy });
    try {
      const r = await app2.call('GET', '/v0.1/registries', { headers: { 'X-Request-Id': 'req-123' } });
      assert.equal(r.status, 500);
      assert.deepEqual(r.body, { title: 'Internal Server Error', status: 500, detail: 'Internal server error. Quote request id req-123 when reporting this.', code: 'INTERNAL_ERROR' });
    } finally {
      await app2.close();
    }
  });
});
