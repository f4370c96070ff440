import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { AccessPolicy } from '../../../src/access/AccessPolicy.js';
import { AnonymousAuthenticator } from '../../../src/auth/Authenticator.js';
import { catalogReads } from '../../../src/http/catalogReads.js';
import { hotReads } from '../../../src/http/hotReads.js';
import { createLogger } from '../../../src/observability/logger.js';
import { testConfig } from '../../helpers/gateway.js';
import { ENTRIES } from './support/testApp.js';
import { FakeCatalog } from './support/fakes.js';

// Which requests the hot path takes (200 here) and which it leaves to express (418 here).

describe('hot read path: what it answers and what it leaves to express', () => {
  let server: Server;
  let base: string;
  before(async () => {
    const config = testConfig({
      registries: [{ name: 'internal', type: 'managed' }, { name: 'official', type: 'file', path: 'o.json', watch: false }],
      access: { rules: [{ groups: ['$anonymous'], registries: ['*'] }] },
    });
    const names = config.registries.map((r) => r.name);
    const access = new AccessPolicy(config.access, names, true);
    const hot = hotReads({
      answer: catalogReads({ catalog: new FakeCatalog(names, ENTRIES.map((e) => ({ ...e }))), access, api: config.api, perCaller: false }),
      authenticator: new AnonymousAuthenticator(),
      access,
      perCaller: false,
      baseHeaders: ['X-Base', '1'],
      cookieSessions: true,
      logger: createLogger({ silent: true }),
    });
    server = createServer((req, res) => {
      if (hot(req, res)) return;
      res.writeHead(418);
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const status = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(base + path, init);
    await res.arrayBuffer();
    return res.status;
  };

  it('answers GET of the canonical read routes, aggregated and per registry', async () => {
    for (const path of [
      '/v0.1/servers',
      '/v0/servers?limit=2',
      '/official/v0.1/servers',
      '/v0.1/servers/com.acme%2Fweather/versions',
      '/v0.1/servers/com.acme/weather/versions/latest',
      '/internal/v0/servers/com.acme%2Fweather/versions/1.0.0',
    ]) {
      assert.equal(await status(path), 200, path);
    }
    assert.equal(await status('/v0.1/servers/com.acme%2Fnope/versions'), 404, 'errors too');
    assert.equal(await status('/v0.1/servers?limit=x'), 422);
  });

  it('leaves every other spelling, method and path to express', async () => {
    for (const path of [
      '/V0.1/servers',
      '/v0.1/servers/',
      '/v0.1/servers?x=%00',
      '/v0.1/servers/a%ZZ/versions',
      '/v0.1/servers/com.acme%2Fweather//versions',
      '/v0.1/servers/com.acme%2Fweather/status',
      '/v0.1/servers/com.acme%2Fweather/versions/1.0.0/status',
      '/v0.2/servers',
      '/Official/v0.1/servers',
      '/v0.1/publish',
    ]) {
      assert.equal(await status(path), 418, path);
    }
    assert.equal(await status('/v0.1/servers', { method: 'HEAD' }), 418);
    assert.equal(await status('/v0.1/servers', { method: 'POST' }), 418);
    assert.equal(await status('/v0.1/servers', { headers: { Cookie: 'mcpgw_session=x' } }), 418, 'a console session authenticates in express');
  });
});
