import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeAuthenticator } from './support/fakes.js';
import { startFakeApp, type FakeApp } from './support/testApp.js';

describe('document, metadata and cross-cutting routes on fakes', () => {
  let app: FakeApp;
  before(async () => {
    app = await startFakeApp({
      raw: { auth: { mode: 'oidc', oidc: { issuer: 'https://idp.example', audience: 'gateway' } }, access: { rules: [{ groups: ['$anonymous'], registries: ['*'] }] } },
      authenticator: new FakeAuthenticator({}),
      wellKnown: { publicUrl: () => 'https://gateway.example/', issuers: ['https://idp.example'], scopesSupported: ['registry:read'] },
    });
  });
  after(() => app.close());

  it('serves its OpenAPI 3.1 document and the docs page without credentials', async () => {
    const doc = await app.call('GET', '/openapi.json');
    assert.equal(doc.status, 200);
    assert.equal(doc.body.openapi, '3.1.0');
    const docs = await fetch(`${app.url}/docs`);
    assert.equal(docs.status, 200);
    assert.match(docs.headers.get('content-type') ?? '', /^text\/html/);
  });

  it('serves RFC 9728 protected-resource metadata from the configured public URL', async () => {
    const r = await fetch(`${app.url}/.well-known/oauth-protected-resource`, { headers: { Host: 'evil.example' } });
    assert.equal(r.status, 200);
    const body = (await r.json()) as Record<string, unknown>;
    assert.equal(body.resource, 'https://gateway.example');
    assert.deepEqual(body.authorization_servers, ['https://idp.example']);
    assert.deepEqual(body.scopes_supported, ['registry:read']);
  });

  it('answers CORS preflights (204) and exposes the headers clients read', async () => {
    const r = await fetch(`${app.url}/v0.1/servers`, { method: 'OPTIONS', headers: { Origin: 'https://app.example', 'Access-Control-Request-Headers': 'authorization' } });
    assert.equal(r.status, 204);
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    assert.equal(r.headers.get('access-control-allow-headers'), 'authorization');
    const get = await fetch(`${app.url}/v0.1/servers`);
    assert.match(get.headers.get('access-control-expose-headers') ?? '', /WWW-Authenticate/);
    assert.ok(get.headers.get('x-request-id'));
  });

  it('redirects a trailing slash (308) within the gateway only', async () => {
    const r = await fetch(`${app.url}/v0.1/servers/?limit=2`, { redirect: 'manual' });
    assert.equal(r.status, 308);
    assert.equal(r.headers.get('location'), '/v0.1/servers?limit=2');
    const evil = await fetch(`${app.url}//evil.example/`, { redirect: 'manual' });
    assert.equal(evil.status, 404);
    assert.equal(((await evil.json()) as { code: string }).code, 'NOT_FOUND');
  });
});
