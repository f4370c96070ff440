import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { UpstreamRegistryConfig } from '../../../src/config/schema.js';
import { DomainError, UpstreamError } from '../../../src/errors.js';
import { UpdatedSinceRejected, UpstreamClient, type UpstreamClientOptions } from '../../../src/sync/UpstreamClient.js';
import { testConfig } from '../../helpers/gateway.js';

/** A scripted answer: status, headers and body (default: an empty page). */
interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

const PAGE = JSON.stringify({ servers: [{ server: { name: 'io.github.a/b', version: '1.0.0' } }], metadata: { count: 1, nextCursor: 'c2' } });

/** A real loopback HTTP upstream answering from a script; records when each request arrived. */
class ScriptedUpstream {
  readonly requests: Array<{ at: number; url: string; headers: IncomingMessage['headers'] }> = [];
  script: Answer[] = [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      this.requests.push({ at: Date.now(), url: req.url ?? '', headers: req.headers });
      const answer = this.script.shift() ?? { status: 200, body: PAGE };
      res.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers });
      res.end(answer.body ?? (answer.status < 300 ? PAGE : '{"title":"error"}'));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  gaps(): number[] {
    return this.requests.slice(1).map((r, i) => r.at - (this.requests[i] as { at: number }).at);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function upstreamConfig(url: string): UpstreamRegistryConfig {
  const config = testConfig({ registries: [{ name: 'up', type: 'upstream', url, sync: { maxRequestsPerSecond: 1000, timeout: '2s' } }] });
  return config.registries[0] as UpstreamRegistryConfig;
}

describe('UpstreamClient retries, backoff and Retry-After (real loopback upstream)', () => {
  const upstream = new ScriptedUpstream();
  const client = (options: UpstreamClientOptions = {}) => new UpstreamClient(upstreamConfig(upstream.url), { maxAttempts: 3, baseDelayMs: 100, ...options });
  before(() => upstream.start());
  after(() => upstream.stop());
  beforeEach(() => {
    upstream.requests.length = 0;
    upstream.script = [];
  });

  it('fetches a page with the listing query, a User-Agent and the bearer token', async () => {
    const page = await client({ token: 'sekret' }).fetchPage({ limit: 50, cursor: 'c1', updatedSince: '2025-01-01T00:00:00Z' });
    assert.equal(page.items.length, 1);
    assert.equal(page.nextCursor, 'c2');
    assert.equal(page.bytes, Buffer.byteLength(PAGE));
    const req = upstream.requests[0];
    const query = new URL(req?.url ?? '', 'http://x').searchParams;
    assert.equal(new URL(req?.url ?? '', 'http://x').pathname, '/v0.1/servers');
    assert.deepEqual(Object.fromEntries(query), { limit: '50', include_deleted: 'true', cursor: 'c1', updated_since: '2025-01-01T00:00:00Z' });
    assert.equal(req?.headers.authorization, 'Bearer sekret');
    assert.match(req?.headers['user-agent'] ?? '', /^mcp-registry-gateway\//);
  });

  it('retries 5xx with exponential backoff (full jitter, bounded by base * 2^(n-1)) and succeeds', async () => {
    upstream.script = [{ status: 500 }, { status: 502 }];
    const page = await client({ baseDelayMs: 150 }).fetchPage({ limit: 10 });
    assert.equal(page.items.length, 1);
    assert.equal(upstream.requests.length, 3);
    const [first, second] = upstream.gaps() as [number, number];
    assert.ok(first < 150 + 100, `first backoff ${first} ms exceeds base 150 ms (+ slack)`);
    assert.ok(second < 300 + 100, `second backoff ${second} ms exceeds 2 * base (+ slack)`);
  });

  it('gives up after maxAttempts with an UpstreamError naming the status and the attempts', async () => {
    upstream.script = [{ status: 500 }, { status: 500 }, { status: 500 }, { status: 200 }];
    await assert.rejects(client().fetchPage({ limit: 10 }), (err: unknown) => {
      assert.ok(err instanceof UpstreamError);
      assert.equal(err.message, 'upstream answered HTTP 500 (after 3 attempts)');
      return true;
    });
    assert.equal(upstream.requests.length, 3);
  });

  it('obeys Retry-After in seconds on 429 before asking again', async () => {
    upstream.script = [{ status: 429, headers: { 'Retry-After': '1' } }];
    const page = await client({ baseDelayMs: 1 }).fetchPage({ limit: 10 });
    assert.equal(page.items.length, 1);
    assert.equal(upstream.requests.length, 2);
    assert.ok((upstream.gaps()[0] as number) >= 950, `asked again after ${upstream.gaps()[0]} ms, before Retry-After`);
  });

  it('obeys Retry-After as an HTTP date on 503', async () => {
    upstream.script = [{ status: 503, headers: { 'Retry-After': new Date(Date.now() + 2000).toUTCString() } }];
    await client({ baseDelayMs: 1 }).fetchPage({ limit: 10 });
    assert.equal(upstream.requests.length, 2);
    // HTTP dates have whole-second resolution: at least ~1 s of the 2 s remains.
    assert.ok((upstream.gaps()[0] as number) >= 900, `asked again after ${upstream.gaps()[0]} ms`);
  });

  it('a Retry-After beyond maxRetryAfterMs ends the run at once (no second request)', async () => {
    upstream.script = [{ status: 429, headers: { 'Retry-After': '600' } }];
    await assert.rejects(client({ maxRetryAfterMs: 1000 }).fetchPage({ limit: 10 }), /asked to wait 600 s/);
    assert.equal(upstream.requests.length, 1);
  });

  it('keeps answering 429 until maxAttempts is an UpstreamError', async () => {
    upstream.script = [{ status: 429 }, { status: 429 }, { status: 429 }];
    await assert.rejects(client({ baseDelayMs: 5 }).fetchPage({ limit: 10 }), /kept answering HTTP 429 \(after 3 attempts\)/);
    assert.equal(upstream.requests.length, 3);
  });

  it('does not retry other 4xx or a malformed body', async () => {
    upstream.script = [{ status: 404 }];
    await assert.rejects(client().fetchPage({ limit: 10 }), /upstream answered HTTP 404 for \/v0\.1\/servers$/);
    upstream.script = [{ status: 401 }];
    await assert.rejects(client().fetchPage({ limit: 10 }), /\(check auth\.tokenEnv\)/);
    upstream.script = [{ status: 200, body: '{"servers":' }];
    await assert.rejects(client().fetchPage({ limit: 10 }), /malformed JSON/);
    upstream.script = [{ status: 200, body: '{"items":[]}' }];
    await assert.rejects(client().fetchPage({ limit: 10 }), /not a server list/);
    assert.equal(upstream.requests.length, 4);
  });

  it('a 400/422 to updated_since on the first page is UpdatedSinceRejected (in the error hierarchy); on a later page a plain UpstreamError', async () => {
    upstream.script = [{ status: 422 }];
    await assert.rejects(client().fetchPage({ limit: 10, updatedSince: '2025-01-01T00:00:00Z' }), (err: unknown) => {
      assert.ok(err instanceof UpdatedSinceRejected);
      assert.ok(err instanceof DomainError, 'every thrown error is in the hierarchy');
      assert.equal(err.upstreamStatus, 422);
      return true;
    });
    upstream.script = [{ status: 400 }];
    await assert.rejects(client().fetchPage({ limit: 10, updatedSince: '2025-01-01T00:00:00Z', cursor: 'c9' }), (err: unknown) => {
      assert.ok(err instanceof UpstreamError && !(err instanceof UpdatedSinceRejected));
      return true;
    });
  });

  it('retries a refused connection, then reports it without naming the token', async () => {
    const closed = new ScriptedUpstream();
    await closed.start();
    const url = closed.url;
    await closed.stop();
    const started = Date.now();
    await assert.rejects(new UpstreamClient(upstreamConfig(url), { maxAttempts: 2, baseDelayMs: 10, token: 'sekret' }).fetchPage({ limit: 10 }), (err: unknown) => {
      assert.ok(err instanceof UpstreamError);
      assert.equal(err.message, 'upstream refused the connection (after 2 attempts)');
      return true;
    });
    assert.ok(Date.now() - started < 2000);
  });
});
