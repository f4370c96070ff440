import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { server } from '../../helpers/corpus.js';
import { startTestGateway, tempDir, writeJson, type TestGateway } from '../../helpers/gateway.js';
import { rawRequest, type RawResponse } from '../../helpers/rawHttp.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';

function assertProblem(r: RawResponse, status: number, label: string): void {
  assert.equal(r.status, status, `${label}: ${JSON.stringify(r)}`);
  assert.match(r.headers['content-type'] ?? '', /^application\/problem\+json/, label);
  const body = JSON.parse(r.body) as { status: number; title: string; detail: string };
  assert.equal(body.status, status, label);
  assert.ok(body.title && body.detail, label);
}

describe('HTTP edges: redirects, server timeouts, header limits', () => {
  let redis: TestRedis;
  let gw: TestGateway;

  before(async () => {
    redis = await startTestRedis();
    const dir = tempDir();
    writeJson(dir, 'r.json', [server('io.x/a', '1.0.0')]);
    gw = await startTestGateway({
      redisUrl: redis.url,
      prefix: redis.prefix(),
      dir,
      raw: {
        server: { headersTimeout: '600ms', requestTimeout: '1200ms', maxHeaderBytes: 4096 },
        registries: [
          { name: 'internal', type: 'managed' },
          { name: 'r', type: 'file', path: 'r.json', watch: false },
        ],
        publish: { allowAnonymous: true, defaultRegistry: 'internal' },
      },
    });
  });
  after(async () => {
    await gw?.close();
    await redis?.stop();
  });

  it('a trailing slash never redirects to another host (//evil.example/ is not an open redirect)', async () => {
    for (const target of ['//evil.example/', '//evil.example//', '/\\evil.example/', '///evil.example/x/', 'http://127.0.0.1//evil.example/']) {
      const r = await rawRequest(gw.url, [`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]);
      assert.equal(r.headers.location, undefined, `${target} redirects to ${r.headers.location}`);
      assertProblem(r, 404, target);
    }
    const own = await rawRequest(gw.url, ['GET /v0.1/servers/?limit=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
    assert.equal(own.status, 308);
    assert.equal(own.headers.location, '/v0.1/servers?limit=1');
  });

  it('a body sent slowly is cut off after server.requestTimeout with a 408 problem', async () => {
    const head = 'POST /internal/v0.1/publish HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n';
    const r = await rawRequest(gw.url, [head, ...Array.from({ length: 40 }, () => ' ')], { gapMs: 150, timeoutMs: 8000 });
    assertProblem(r, 408, 'slow body');
    assert.ok(r.ms < 3500, `answered after ${r.ms} ms`);
  });

  it('headers sent slowly are cut off after server.headersTimeout with a 408 problem', async () => {
    const r = await rawRequest(gw.url, ['GET /v0.1/servers HTTP/1.1\r\n', ...Array.from({ length: 30 }, (_, i) => `X-Slow-${i}: y\r\n`)], { gapMs: 100, timeoutMs: 8000 });
    assertProblem(r, 408, 'slow headers');
    assert.ok(r.ms < 2500, `answered after ${r.ms} ms`);
  });

  it('headers beyond server.maxHeaderBytes get a 431 problem', async () => {
    const r = await rawRequest(gw.url, [`GET /v0.1/servers HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(6000)}\r\n\r\n`]);
    assertProblem(r, 431, 'big headers');
  });

  it('an unexpected Expect header and CONNECT get problem bodies', async () => {
    assertProblem(await rawRequest(gw.url, ['GET /v0.1/servers HTTP/1.1\r\nHost: x\r\nExpect: magic\r\nConnection: close\r\n\r\n']), 417, 'expect');
    assertProblem(await rawRequest(gw.url, ['CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n']), 405, 'connect');
  });
});
