import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { corpus, server } from '../../helpers/corpus.js';
import { startTestGateway, tempDir, writeJson, type TestGateway } from '../../helpers/gateway.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';

interface ListBody {
  servers: Array<{ server: { name: string; version: string }; _meta: Record<string, { isLatest?: boolean }> }>;
  metadata: { count: number; nextCursor?: string };
}

async function walk(gw: TestGateway, base: string, limit: number): Promise<{ rows: string[]; pages: number }> {
  const rows: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  const sep = base.includes('?') ? '&' : '?';
  do {
    const q = `${base}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const { status, body } = await gw.json<ListBody>(q);
    assert.equal(status, 200, q);
    assert.equal(body.metadata.count, body.servers.length);
    pages++;
    rows.push(...body.servers.map((s) => `${s.server.name}@${s.server.version}`));
    cursor = body.metadata.nextCursor;
    if (cursor) assert.equal(body.servers.length, limit, 'only full pages have a next cursor');
    assert.ok(pages < 10_000, 'walk terminates');
  } while (cursor);
  return { rows, pages };
}

describe('pagination', () => {
  let redis: TestRedis;
  let gw: TestGateway;
  let dirPath: string;
  const servers = corpus(97, 4);
  const expected = servers
    .map((s) => [s.name, s.version] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([n, v]) => `${n}@${v}`);

  before(async () => {
    redis = await startTestRedis();
    const dir = tempDir();
    writeJson(dir, 'all.json', servers);
    gw = await startTestGateway({ redisUrl: redis.url, prefix: redis.prefix(), dir, raw: { api: { maxPageSize: 1000 }, registries: [{ name: 'main', type: 'file', path: 'all.json', watch: false }] } });
    dirPath = dir;
  });
  after(async () => {
    await gw?.close();
    await redis?.stop();
  });

  for (const limit of [1, 7, 30, 100]) {
    it(`walks every row exactly once in name/version order with limit=${limit}`, async () => {
      const { rows, pages } = await walk(gw, '/v0.1/servers', limit);
      assert.equal(new Set(rows).size, rows.length, 'no duplicates');
      assert.deepEqual(rows, expected, 'no gaps, official order');
      assert.equal(pages, Math.ceil(expected.length / limit));
    });
  }

  it('omits nextCursor when the last page is exactly full', async () => {
    const { pages, rows } = await walk(gw, '/v0.1/servers', expected.length);
    assert.equal(pages, 1);
    assert.equal(rows.length, expected.length);
  });

  it('the per-registry route walks the same rows', async () => {
    const { rows } = await walk(gw, '/main/v0.1/servers', 13);
    assert.deepEqual(rows, expected);
  });

  it('version=latest walks one row per name, each flagged latest', async () => {
    const names = new Set(servers.map((s) => s.name));
    const rows: string[] = [];
    let cursor: string | undefined;
    do {
      const { body } = await gw.json<ListBody>(`/v0.1/servers?version=latest&limit=9${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      for (const s of body.servers) {
        assert.equal(s._meta['io.modelcontextprotocol.registry/official']?.isLatest, true);
        rows.push(s.server.name);
      }
      cursor = body.metadata.nextCursor;
    } while (cursor);
    assert.deepEqual(rows, [...names].sort());
  });

  it('a cursor is stable while rows are inserted and removed around it (keyset, not offset)', async () => {
    const first = await gw.json<ListBody>('/v0.1/servers?limit=10');
    const last = first.body.servers[9]?.server as { name: string; version: string };
    const idx = expected.indexOf(`${last.name}@${last.version}`);
    // Insert rows that sort before the cursor and remove the first row, then continue.
    const changed = [server('aaa.first/one', '1.0.0'), server('aaa.first/two', '1.0.0'), ...servers.slice(1)];
    writeJson(dirPath, 'all.json', changed);
    await gw.fileSources[0]?.load();
    const second = await gw.json<ListBody>(`/v0.1/servers?limit=5&cursor=${encodeURIComponent(first.body.metadata.nextCursor as string)}`);
    assert.deepEqual(
      second.body.servers.map((s) => `${s.server.name}@${s.server.version}`),
      expected.slice(idx + 1, idx + 6),
    );
    writeJson(dirPath, 'all.json', servers);
    await gw.fileSources[0]?.load();
    assert.deepEqual((await walk(gw, '/v0.1/servers', 50)).rows, expected);
  });

  it('rejects a cursor from another route or a tampered one with 400 problem+json', async () => {
    const page = await gw.json<ListBody>('/main/v0.1/servers?limit=3');
    const foreign = await gw.get(`/v0.1/servers?cursor=${encodeURIComponent(page.body.metadata.nextCursor as string)}`);
    assert.equal(foreign.status, 400);
    assert.equal(foreign.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    const token = page.body.metadata.nextCursor as string;
    const tampered = await gw.get(`/main/v0.1/servers?cursor=${encodeURIComponent(`${token.slice(0, 5)}x${token.slice(6)}`)}`);
    assert.equal(tampered.status, 400);
    const body = (await tampered.json()) as { detail: string; status: number; title: string };
    assert.equal(body.status, 400);
    assert.equal(body.title, 'Bad Request');
    assert.match(body.detail, /Invalid cursor/);
  });
});
