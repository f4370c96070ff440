import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WriteContentionError } from '../../../src/catalog/errors.js';
import { FakeAuthenticator, principal } from './support/fakes.js';
import { startFakeApp, type FakeApp } from './support/testApp.js';

const AUTH = {
  auth: { mode: 'oidc', oidc: { issuer: 'https://idp.example', audience: 'gateway' } },
  access: { rules: [{ groups: ['$anonymous', '$authenticated'], registries: ['*'] }, { groups: ['platform'], registries: ['internal'], publish: ['com.acme/*'] }] },
  publish: { defaultRegistry: 'internal', maxBodyBytes: 2000 },
};
const tokens = { platform: principal('bot', ['platform']), alice: principal('alice', ['dev']) };
const json = (token: string | undefined, body: unknown, contentType = 'application/json') => ({
  headers: { 'Content-Type': contentType, ...(token ? { Authorization: `Bearer ${token}` } : {}) },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const WEATHER = encodeURIComponent('com.acme/weather');

describe('write routes on fakes (auth on)', () => {
  let app: FakeApp;
  before(async () => {
    app = await startFakeApp({ raw: AUTH, authenticator: new FakeAuthenticator(tokens) });
  });
  after(() => app.close());

  it('publishes to a named registry and to the default one, answering the stored entry', async () => {
    const named = await app.call('POST', '/internal/v0.1/publish', json('platform', { name: 'com.acme/radar', description: 'r', version: '1.0.0' }));
    assert.equal(named.status, 200);
    assert.equal(named.body.server.name, 'com.acme/radar');
    const byDefault = await app.call('POST', '/v0.1/publish', json('platform', { name: 'com.acme/radar', description: 'r', version: '1.1.0' }));
    assert.equal(byDefault.status, 200);
    const duplicate = await app.call('POST', '/internal/v0.1/publish', json('platform', { name: 'com.acme/radar', description: 'r', version: '1.1.0' }));
    assert.equal(duplicate.status, 409);
    assert.equal(duplicate.body.code, 'CONFLICT');
  });

  it('checks who writes where before reading the body: 401 anonymous, 403 no right, 404 unknown, 405 read-only registry', async () => {
    const anonymous = await app.call('POST', '/internal/v0.1/publish', json(undefined, 'not even json'));
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('www-authenticate'), FakeAuthenticator.CHALLENGE);
    assert.equal(anonymous.body.code, 'AUTHENTICATION_ERROR');
    const alice = await app.call('POST', '/internal/v0.1/publish', json('alice', 'not even json'));
    assert.equal(alice.status, 403);
    assert.equal(alice.body.code, 'FORBIDDEN');
    const unknown = await app.call('POST', '/nope/v0.1/publish', json('platform', 'not even json'));
    assert.equal(unknown.status, 404);
    const readOnly = await app.call('POST', '/official/v0.1/publish', json('platform', 'not even json'));
    assert.equal(readOnly.status, 405);
    assert.equal(readOnly.body.code, 'METHOD_NOT_ALLOWED');
  });

  it('rejects bodies: 415 wrong type, 400 bad JSON, 413 too large, 422 invalid', async () => {
    const type = await app.call('POST', '/internal/v0.1/publish', json('platform', 'name=x', 'text/plain'));
    assert.equal(type.status, 415);
    assert.equal(type.body.code, 'UNSUPPORTED_MEDIA_TYPE');
    const parse = await app.call('POST', '/internal/v0.1/publish', json('platform', '{"name":'));
    assert.equal(parse.status, 400);
    assert.deepEqual(parse.body, { title: 'Bad Request', status: 400, detail: 'The request body is not valid JSON.', code: 'INPUT_ERROR' });
    const large = await app.call('POST', '/internal/v0.1/publish', json('platform', { name: 'com.acme/big', description: 'x'.repeat(3000), version: '1.0.0' }));
    assert.equal(large.status, 413);
    assert.equal(large.body.code, 'PAYLOAD_TOO_LARGE');
    const invalid = await app.call('POST', '/internal/v0.1/publish', json('platform', { description: 'no name' }));
    assert.equal(invalid.status, 422);
    assert.equal(invalid.body.code, 'VALIDATION_ERROR');
    assert.equal(invalid.body.errors[0].location, 'body');
  });

  it('edits, changes status (one version and all) and deletes', async () => {
    const put = await app.call('PUT', `/internal/v0.1/servers/${WEATHER}/versions/1.0.0`, json('platform', { name: 'com.acme/weather', description: 'w', version: '1.0.0' }));
    assert.equal(put.status, 200);
    const one = await app.call('PATCH', `/internal/v0.1/servers/${WEATHER}/versions/1.0.0/status`, json('platform', { status: 'deprecated', statusMessage: 'use radar' }));
    assert.equal(one.status, 200);
    assert.equal(one.body._meta['io.modelcontextprotocol.registry/official'].status, 'deprecated');
    const all = await app.call('PATCH', `/internal/v0.1/servers/${WEATHER}/status`, json('platform', { status: 'active' }));
    assert.equal(all.status, 200);
    assert.equal(all.body.updatedCount, 1);
    const badStatus = await app.call('PATCH', `/internal/v0.1/servers/${WEATHER}/status`, json('platform', { status: 'gone' }));
    assert.equal(badStatus.status, 422);
    assert.equal(badStatus.body.errors[0].location, 'body.status');
    const del = await app.call('DELETE', `/internal/v0.1/servers/${WEATHER}/versions/1.0.0`, { headers: { Authorization: 'Bearer platform' } });
    assert.equal(del.status, 200);
    assert.equal(del.body._meta['io.modelcontextprotocol.registry/official'].status, 'deleted');
    const again = await app.call('DELETE', `/internal/v0.1/servers/${WEATHER}/versions/1.0.0`, { headers: { Authorization: 'Bearer platform' } });
    assert.equal(again.status, 404);
  });

  it('a catalogue write that ran out of retries is a 409 with its own code', async () => {
    app.publisher.failure = new WriteContentionError('Other writers kept changing com.acme/radar; retry.');
    try {
      const r = await app.call('POST', '/internal/v0.1/publish', json('platform', { name: 'com.acme/radar', description: 'r', version: '9.0.0' }));
      assert.equal(r.status, 409);
      assert.equal(r.body.code, 'CATALOG_WRITE_CONTENDED');
    } finally {
      delete app.publisher.failure;
    }
  });
});
