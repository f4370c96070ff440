import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { server } from '../../helpers/corpus.js';
import { startTestGateway, tempDir, writeJson, type TestGateway } from '../../helpers/gateway.js';
import { rawRequest, type RawResponse } from '../../helpers/rawHttp.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';

/** A small deterministic PRNG, so a failure names a reproducible case. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'PROPFIND', 'FOO', 'G ET', 'get', 'GE\x00T', '', 'POST\t', 'BREW', 'TRACE', 'M-SEARCH'];
const TARGETS = [
  '/v0.1/servers', '/v0.1/servers?limit=%zz', '/v0.1/servers/%E0%A4%A/versions', '/v0.1/servers/io.x%2Fa/versions/%', '/%', '/%%30',
  '/internal/v0.1/publish', '/v0.1/publish', '/internal/v0.1/servers/io.x%2Fa/versions/1.0.0/status', '/r/v0.1/servers/%C0%AF/versions',
  '/v0.1/servers?updated_since=%ff%fe', '/v0.1/servers?cursor=%E2%82', '*', '', 'noslash', '/a b', '/\x7f', '/\u00e9', '/v0.1/servers#frag',
  '/' + 'a'.repeat(3000), '/v0.1/servers?' + 'x=1&'.repeat(500), '/..%2f..%2fetc/passwd', '/v0.1/servers/%00', 'http://[::1/', '//',
];
const VERSIONS = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'HTTP/1.1x', 'HTTPS/1.1', '', 'http/1.1'];
const HEADERS = [
  'Host: x', 'Host: x\r\nHost: y', 'Content-Length: abc', 'Content-Length: 5\r\nContent-Length: 6', 'Transfer-Encoding: chunked\r\nContent-Length: 3',
  'Transfer-Encoding: gzip, chunked', 'Transfer-Encoding: bogus', 'Bad Header: x', ': empty-name', 'X-Ctl: a\x01b', 'NoColon', 'X-Fold: a\r\n  folded',
  'Content-Type: application/json', 'Content-Type: application/json; charset=utf-16', 'Content-Type: text/plain', 'Content-Encoding: gzip',
  'Content-Encoding: br', 'Authorization: Bearer', 'Authorization: Basic !!', 'Authorization: Bearer a b', 'Expect: 100-continue', 'Expect: nope',
  'X-Request-Id: \xff\xfe', 'Accept: */*', 'Upgrade: websocket\r\nConnection: Upgrade', `X-Long: ${'b'.repeat(20000)}`, 'Cookie: a=%zz',
];
const BODIES = ['', '{', '{"a":', 'null', '[]', '"x"', '{"status":"nope"}', '\xff\xfe{}', '0\r\n\r\n', 'zz\r\nabc\r\n0\r\n\r\n', '5\r\nab\r\n', '{"name":' + '['.repeat(5000), '{}'];

const REAL_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND', 'TRACE', 'LOCK'];
const WELL_FORMED_HEADERS = HEADERS.filter((h) => /^[A-Za-z-]+: [\x20-\x7e]*$/.test(h) && !/content-length|transfer-encoding|x-long/i.test(h));

/**
 * One bad request. Half are well-framed HTTP with bad targets, headers or bodies (they reach
 * express); half are broken at the parser level (random parts, then byte mutations).
 */
function malformed(rnd: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  if (rnd() < 0.5) {
    const body = pick(BODIES);
    const headers = Array.from({ length: Math.floor(rnd() * 3) }, () => pick(WELL_FORMED_HEADERS));
    return `${pick(REAL_METHODS)} ${pick(TARGETS.filter((t) => /^\/[\x21-\x7e]*$/.test(t)))} HTTP/1.1\r\nHost: x\r\n${headers.map((h) => h + '\r\n').join('')}Content-Length: ${Buffer.byteLength(body, 'latin1')}\r\nConnection: close\r\n\r\n${body}`;
  }
  const headers = Array.from({ length: Math.floor(rnd() * 3) }, () => pick(HEADERS));
  const body = pick(BODIES);
  if (body !== '' && rnd() < 0.5 && !headers.some((h) => /content-length|transfer-encoding/i.test(h))) headers.push(`Content-Length: ${Buffer.byteLength(body, 'latin1')}`);
  const eol = rnd() < 0.1 ? '\n' : rnd() < 0.05 ? '\r' : '\r\n';
  let text = `${pick(METHODS)} ${pick(TARGETS)} ${pick(VERSIONS)}${eol}${rnd() < 0.8 ? `Host: x${eol}` : ''}${headers.map((h) => h + eol).join('')}Connection: close${eol}${eol}${body}`;
  const mutations = Math.floor(rnd() * 3);
  for (let i = 0; i < mutations; i++) {
    const at = Math.floor(rnd() * text.length);
    text = text.slice(0, at) + String.fromCharCode(Math.floor(rnd() * 256)) + text.slice(at + (rnd() < 0.5 ? 1 : 0));
  }
  return text;
}

describe('raw-request fuzzing: every early rejection is problem+json', () => {
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
        server: { headersTimeout: '1s', requestTimeout: '1500ms' },
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

  it('400 malformed requests: each error response has a problem body whose status is the HTTP status', async () => {
    const rnd = prng(9);
    const cases = Array.from({ length: 400 }, () => malformed(rnd));
    const results: Array<{ request: string; response: RawResponse }> = [];
    const started = Date.now();
    for (let i = 0; i < cases.length; i += 16) {
      const batch = cases.slice(i, i + 16);
      results.push(...(await Promise.all(batch.map(async (request) => ({ request, response: await rawRequest(gw.url, [Buffer.from(request, 'latin1')], { timeoutMs: 4000 }) })))));
    }
    const bad: string[] = [];
    const statuses = new Map<number, number>();
    for (const { request, response } of results) {
      if (response.status === undefined) continue;
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      const head = request.startsWith('HEAD ');
      if (response.status >= 500) bad.push(`5xx ${response.status}: ${JSON.stringify(request.slice(0, 200))}`);
      if (response.status < 400 || head) continue;
      let body: { status?: unknown } | undefined;
      try {
        body = JSON.parse(response.body) as { status?: unknown };
      } catch {
        body = undefined;
      }
      if (!/^application\/problem\+json/.test(response.headers['content-type'] ?? '') || body?.status !== response.status) {
        bad.push(`${response.status} ${response.headers['content-type']} ${JSON.stringify(response.body.slice(0, 80))} for ${JSON.stringify(request.slice(0, 200))}`);
      }
    }
    const answered = [...statuses.values()].reduce((a, b) => a + b, 0);
    assert.deepEqual(bad, [], `${bad.length} bad responses`);
    assert.ok(answered >= 300, `only ${answered} of ${cases.length} requests were answered: ${JSON.stringify([...statuses])}`);
    assert.ok((statuses.get(400) ?? 0) >= 100, `statuses: ${JSON.stringify([...statuses])}`);
    assert.ok(Date.now() - started < 60_000);
  });
});
