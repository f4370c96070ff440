import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GATEWAY_META_KEY } from '../../../src/catalog/types.js';
import { startFakeApp, type FakeApp } from './support/testApp.js';

const WEATHER = encodeURIComponent('com.acme/weather');
const TOOL = encodeURIComponent('io.github.pub/tool');

describe('read routes on fakes (auth off)', () => {
  let app: FakeApp;
  before(async () => {
    app = await startFakeApp({ raw: { access: { rules: [{ groups: ['$anonymous'], registries: ['*'], servers: ['*'], exclude: ['io.github.pub/secret'] }] } } });
  });
  after(() => app.close());

  it('lists the aggregated catalogue: first holder wins, invisible names absent, shared caching headers', async () => {
    const r = await app.call('GET', '/v0.1/servers');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(r.headers.get('cache-control'), 'no-cache');
    assert.equal(r.headers.get('vary'), null);
    assert.ok(r.headers.get('etag'));
    const rows = (r.body.servers as Array<{ server: { name: string; version: string }; _meta: Record<string, { registry: string }> }>).map(
      (s) => `${s._meta[GATEWAY_META_KEY]?.registry}:${s.server.name}@${s.server.version}`,
    );
    assert.deepEqual(rows, ['internal:com.acme/weather@1.0.0', 'official:io.github.pub/tool@1.0.0', 'official:io.github.pub/tool@2.0.0']);
    assert.equal(r.body.metadata.count, 3);
  });

  it('answers 304 with no body when If-None-Match holds the current tag', async () => {
    const first = await app.call('GET', '/v0.1/servers?version=latest');
    const etag = first.headers.get('etag') as string;
    const again = await app.call('GET', '/v0.1/servers?version=latest', { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304);
    assert.equal(again.headers.get('etag'), etag);
    assert.equal(again.body, undefined);
  });

  it('serves one registry\'s own view, versions and one version (encoded or literal slash)', async () => {
    const own = await app.call('GET', '/official/v0.1/servers');
    assert.deepEqual(own.body.servers.map((s: { server: { version: string } }) => s.server.version), ['0.9.0', '1.0.0', '2.0.0']);
    const versions = await app.call('GET', `/v0.1/servers/${TOOL}/versions`);
    assert.equal(versions.status, 200);
    assert.equal(versions.body.metadata.count, 2);
    const latest = await app.call('GET', `/v0.1/servers/${TOOL}/versions/latest`);
    assert.equal(latest.body.server.version, '2.0.0');
    // A literal slash in the name is a leniency for old clients, not a documented path.
    const literal = await fetch(`${app.url}/official/v0.1/servers/com.acme/weather/versions/0.9.0`);
    assert.equal(literal.status, 200);
    assert.equal(((await literal.json()) as { server: { version: string } }).server.version, '0.9.0');
  });

  it('invisible is nonexistent: 404 with the same body for a hidden name and a missing one', async () => {
    const hidden = await app.call('GET', `/v0.1/servers/${encodeURIComponent('io.github.pub/secret')}/versions/latest`);
    const missing = await app.call('GET', `/v0.1/servers/${encodeURIComponent('io.github.pub/nothing')}/versions/latest`);
    assert.equal(hidden.status, 404);
    assert.deepEqual(hidden.body, missing.body);
    assert.deepEqual(hidden.body, { title: 'Not Found', status: 404, detail: 'Server not found', code: 'NOT_FOUND' });
    const noRegistry = await app.call('GET', '/nope/v0.1/servers');
    assert.equal(noRegistry.status, 404);
    assert.equal(noRegistry.body.code, 'NOT_FOUND');
  });

  it('rejects bad query parameters with 422 / 400 problems carrying their codes', async () => {
    const limit = await app.call('GET', '/v0.1/servers?limit=0');
    assert.equal(limit.status, 422);
    assert.equal(limit.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.equal(limit.body.code, 'VALIDATION_ERROR');
    assert.deepEqual(limit.body.errors, [{ message: 'expected number >= 1', location: 'query.limit', value: '0' }]);
    const since = await app.call('GET', '/v0.1/servers?updated_since=yesterday');
    assert.equal(since.status, 400);
    assert.equal(since.body.code, 'INPUT_ERROR');
    const flag = await app.call('GET', `/v0.1/servers/${TOOL}/versions?include_deleted=maybe`);
    assert.equal(flag.status, 422);
  });

  it('the aggregated catalogue is read-only: 405 with METHOD_NOT_ALLOWED', async () => {
    const r = await fetch(`${app.url}/v0.1/servers/${WEATHER}/versions/1.0.0`, { method: 'DELETE' });
    assert.equal(r.status, 405);
    assert.equal(((await r.json()) as { code: string }).code, 'METHOD_NOT_ALLOWED');
  });

  it('an unknown route is a 404 problem with a hint and a code; a NUL byte is a 400', async () => {
    const res = await fetch(`${app.url}/servers`);
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), {
      title: 'Not Found',
      status: 404,
      detail: "Endpoint not found. See /docs for the API documentation. Did you mean '/v0.1/servers'?",
      code: 'NOT_FOUND',
    });
    const versioned = (await (await fetch(`${app.url}/official/v0.1/nothing`)).json()) as { detail: string };
    assert.equal(versioned.detail, 'Endpoint not found. See /docs for the API documentation.');
    const nul = await fetch(`${app.url}/v0.1/servers?search=%00`);
    assert.equal(nul.status, 400);
    assert.equal(((await nul.json()) as { code: string }).code, 'INPUT_ERROR');
  });

  it('serves health, readiness (503 problem when the store or the model is not ready) and metrics', async () => {
    assert.deepEqual((await app.call('GET', '/v0.1/health')).body, { status: 'ok' });
    assert.equal((await app.call('GET', '/readyz')).status, 200);
    app.health.reachable = false;
    const down = await app.call('GET', '/readyz');
    assert.equal(down.status, 503);
    assert.equal(down.body.code, 'SERVICE_UNAVAILABLE');
    app.health.reachable = true;
    app.health.loaded = false;
    assert.match((await app.call('GET', '/readyz')).body.detail, /still loading/);
    app.health.loaded = true;
    const metrics = await fetch(`${app.url}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(await metrics.text(), /mcpgw_/);
  });
});
