import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { server } from '../../helpers/corpus.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';

// The entry cache (catalog.entryCacheBytes) and the shared head probe must never cost
// read-your-writes across replicas (DESIGN §5): a write acknowledged by one replica is what the next
// read through any other replica returns — however warm that replica's cache, and however many
// reads it has in flight when the write lands.

const NAME = 'com.acme/cached';
const DETAIL = `/v0.1/servers/${encodeURIComponent(NAME)}/versions/1.0.0`;
const LIST = '/v0.1/servers?search=cached';

describe('entry cache: a write through one replica is read through another at once', () => {
  let redis: TestRedis;
  let writer: TestGateway;
  let reader: TestGateway;

  before(async () => {
    redis = await startTestRedis();
    const prefix = redis.prefix();
    const raw = { registries: [{ name: 'internal', type: 'managed' }], publish: { allowAnonymous: true }, catalog: { entryCacheBytes: 1 << 20 } };
    writer = await startTestGateway({ redisUrl: redis.url, prefix, raw, role: 'api' });
    reader = await startTestGateway({ redisUrl: redis.url, prefix, raw, role: 'api' });
    const r = await writer.get('/internal/v0.1/publish', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(server(NAME, '1.0.0', { description: 'v0' })) });
    assert.equal(r.status, 200);
  });
  after(async () => {
    await reader?.close();
    await writer?.close();
    await redis?.stop();
  });

  const description = async (path: string) => {
    const res = await reader.get(path);
    assert.equal(res.status, 200, path);
    const body = (await res.json()) as { server?: { description: string }; servers?: Array<{ server: { description: string } }> };
    return body.server?.description ?? body.servers?.[0]?.server.description;
  };

  it('edits and status changes are served at once by a replica whose cache holds the old entry', async () => {
    for (let round = 1; round <= 5; round++) {
      for (let i = 0; i < 3; i++) assert.equal(await description(DETAIL), `v${round - 1}`, 'warm: served from the cache');
      const edit = await writer.get(`/internal/v0.1/servers/${encodeURIComponent(NAME)}/versions/1.0.0`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(server(NAME, '1.0.0', { description: `v${round}` })),
      });
      assert.equal(edit.status, 200);
      assert.equal(await description(DETAIL), `v${round}`, `round ${round}: detail`);
      assert.equal(await description(LIST), `v${round}`, `round ${round}: list`);
    }
    const status = await writer.get(`/internal/v0.1/servers/${encodeURIComponent(NAME)}/versions/1.0.0/status`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ status: 'deprecated' }),
    });
    assert.equal(status.status, 200);
    const meta = (await (await reader.get(DETAIL)).json()) as { _meta: Record<string, { status?: string }> };
    assert.equal(meta._meta['io.modelcontextprotocol.registry/official']?.status, 'deprecated');
  });

  it('with reads in flight on the reader while the write lands, every read that starts after the write sees it', async () => {
    let stop = false;
    const background = Promise.all(
      Array.from({ length: 8 }, async () => {
        while (!stop) await (await reader.get(DETAIL)).arrayBuffer();
      }),
    );
    try {
      for (let round = 6; round <= 25; round++) {
        const edit = await writer.get(`/internal/v0.1/servers/${encodeURIComponent(NAME)}/versions/1.0.0`, {
          method: 'PUT',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(server(NAME, '1.0.0', { description: `v${round}` })),
        });
        assert.equal(edit.status, 200);
        const seen = await Promise.all([description(DETAIL), description(DETAIL), description(LIST)]);
        assert.deepEqual(seen, [`v${round}`, `v${round}`, `v${round}`], `round ${round}`);
      }
    } finally {
      stop = true;
      await background;
    }
  });
});
