import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rawRequest } from '../../helpers/rawHttp.js';
import { startFakeApp, type FakeApp } from './support/testApp.js';

/** Rejections written below express (httpServer.ts) carry the same problem body, code included. */
describe('early rejections carry codes', () => {
  let app: FakeApp;
  before(async () => {
    app = await startFakeApp({ raw: { server: { port: 0, host: '127.0.0.1', maxHeaderBytes: 2048, headersTimeout: '1s', requestTimeout: '1s' } } });
  });
  after(() => app.close());

  const cases: Array<[string, Array<string>, number, string]> = [
    ['HTTP/1.1 without Host', ['GET /v0.1/servers HTTP/1.1\r\n\r\n'], 400, 'INPUT_ERROR'],
    ['a malformed request line', ['GET /v0.1/servers HTTP/9\r\nHost: x\r\n\r\n'], 400, 'INPUT_ERROR'],
    ['headers over server.maxHeaderBytes', [`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4096)}\r\n\r\n`], 431, 'HEADERS_TOO_LARGE'],
    ['an unsupported Expect', ['GET / HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n'], 417, 'EXPECTATION_FAILED'],
    ['CONNECT', ['CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'], 405, 'METHOD_NOT_ALLOWED'],
    ['an absolute-form target express cannot route', ['GET http://[::1/ HTTP/1.1\r\nHost: x\r\n\r\n'], 400, 'INPUT_ERROR'],
    ['headers sent too slowly', ['GET / HTTP/1.1\r\n'], 408, 'REQUEST_TIMEOUT'],
  ];
  for (const [name, chunks, status, code] of cases) {
    it(`${name}: ${status} ${code}`, async () => {
      const r = await rawRequest(app.url, chunks, { timeoutMs: 4000 });
      assert.equal(r.status, status, r.body);
      assert.match(r.headers['content-type'] ?? '', /^application\/problem\+json/);
      const body = JSON.parse(r.body) as Record<string, unknown>;
      assert.deepEqual(Object.keys(body), ['title', 'status', 'detail', 'code']);
      assert.equal(body.status, status);
      assert.equal(body.code, code);
    });
  }
});
