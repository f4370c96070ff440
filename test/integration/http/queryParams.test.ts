import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { item, server } from '../../helpers/corpus.js';
import { startTestGateway, tempDir, writeJson, type TestGateway } from '../../helpers/gateway.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';

const OFFICIAL = 'io.modelcontextprotocol.registry/official';
type Meta = { status: string; statusMessage?: string; isLatest: boolean; updatedAt: string; publishedAt: string; statusChangedAt: string };
interface Entry {
  server: { name: string; version: string; title?: string };
  _meta: Record<string, Meta>;
}
interface ListBody {
  servers: Entry[];
  metadata: { count: number; nextCursor?: string };
}
interface ProblemBody {
  title: string;
  status: number;
  detail: string;
  errors?: Array<{ location: string; message: string }>;
}

const rows = (b: ListBody) => b.servers.map((s) => `${s.server.name}@${s.server.version}`);

describe('GET /v0.1/servers query parameters and detail routes', () => {
  let redis: TestRedis;
  let gw: TestGateway;

  before(async () => {
    redis = await startTestRedis();
    const dir = tempDir();
    writeJson(dir, 'reg.json', {
      servers: [
        item(server('io.github.acme/weather', '1.0.0', { title: 'Weather' }), { publishedAt: '2025-01-01T00:00:00Z' }),
        item(server('io.github.acme/weather', '1.1.0', { title: 'Weather' }), { publishedAt: '2025-02-01T00:00:00Z' }),
        item(server('io.github.acme/weather', '2.0.0+build.7', { title: 'Weather' }), { publishedAt: '2025-03-01T00:00:00Z', status: 'deleted' }),
        item(server('io.github.acme/tides', '0.1.0', { description: 'Ocean TIDES and currents' }), { status: 'deprecated', statusMessage: 'use weather' }),
        item(server('com.example/everything-deleted', '1.0.0'), { status: 'deleted' }),
        item(server('com.example/everything-deleted', '2.0.0'), { status: 'deleted' }),
        item(server('org.percent/100_percent', '1.0.0')),
      ],
    });
    gw = await startTestGateway({ redisUrl: redis.url, prefix: redis.prefix(), dir, raw: { registries: [{ name: 'reg', type: 'file', path: 'reg.json', watch: false }] } });
  });
  after(async () => {
    await gw?.close();
    await redis?.stop();
  });

  it('lists non-deleted rows by default; include_deleted=true adds tombstones', async () => {
    const plain = await gw.json<ListBody>('/v0.1/servers');
    assert.deepEqual(rows(plain.body), ['io.github.acme/tides@0.1.0', 'io.github.acme/weather@1.0.0', 'io.github.acme/weather@1.1.0', 'org.percent/100_percent@1.0.0']);
    assert.equal(plain.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(plain.body.metadata.nextCursor, undefined);
    const all = await gw.json<ListBody>('/v0.1/servers?include_deleted=true');
    assert.equal(all.body.servers.length, 7);
  });

  it('serves the official _meta block with every field', async () => {
    const { body } = await gw.json<ListBody>('/v0.1/servers?search=tides');
    const meta = body.servers[0]?._meta[OFFICIAL] as Meta;
    assert.equal(meta.status, 'deprecated');
    assert.equal(meta.statusMessage, 'use weather');
    for (const k of ['publishedAt', 'updatedAt', 'statusChangedAt']) assert.ok(!Number.isNaN(Date.parse((meta as unknown as Record<string, string>)[k] as string)), k);
    assert.equal(meta.isLatest, true);
    const gwMeta = body.servers[0]?._meta['io.github.mcp-registry-gateway/federation'] as unknown as Record<string, unknown>;
    assert.equal(gwMeta.registry, 'reg');
    assert.deepEqual(gwMeta.alsoIn, []);
  });

  it('search matches name, title and description, case-insensitively; % and _ are literal', async () => {
    assert.deepEqual(rows((await gw.json<ListBody>('/v0.1/servers?search=ACME%2FWEA')).body), ['io.github.acme/weather@1.0.0', 'io.github.acme/weather@1.1.0']);
    assert.deepEqual(rows((await gw.json<ListBody>('/v0.1/servers?search=currents')).body), ['io.github.acme/tides@0.1.0']);
    assert.deepEqual(rows((await gw.json<ListBody>('/v0.1/servers?search=%25')).body), []);
    assert.deepEqual(rows((await gw.json<ListBody>('/v0.1/servers?search=100_')).body), ['org.percent/100_percent@1.0.0']);
    assert.equal((await gw.json<ListBody>('/v0.1/servers?search=')).body.servers.length, 4, 'empty search = no filter');
    assert.equal((await gw.json<ListBody>('/v0.1/servers?search=%E2%9C%93')).status, 200, 'unicode search');
  });

  it('version=latest and exact versions', async () => {
    assert.deepEqual(rows((await gw.json<ListBody>('/v0.1/servers?version=latest')).body), ['io.github.acme/tides@0.1.0', 'io.github.acme/weather@1.1.0', 'org.percent/100_percent@1.0.0']);
    assert.deepEqual(rows((await gw.json<ListBody>('/v0.1/servers?version=latest&include_deleted=true')).body), [
      'com.example/everything-deleted@2.0.0',
      'io.github.acme/tides@0.1.0',
      'io.github.acme/weather@1.1.0',
      'org.percent/100_percent@1.0.0',
    ]);
    assert.deepEqual(rows((await gw.json<ListBody>('/v0.1/servers?version=1.0.0')).body), ['io.github.acme/weather@1.0.0', 'org.percent/100_percent@1.0.0']);
    assert.deepEqual(rows((await gw.json<ListBody>('/v0.1/servers?version=2.0.0%2Bbuild.7&include_deleted=true')).body), ['io.github.acme/weather@2.0.0+build.7']);
  });

  it('updated_since is strictly greater, includes deleted rows, and validates its input', async () => {
    const all = await gw.json<ListBody>('/v0.1/servers?include_deleted=true');
    const newest = all.body.servers.map((s) => (s._meta[OFFICIAL] as Meta).updatedAt).sort().at(-1) as string;
    assert.equal((await gw.json<ListBody>(`/v0.1/servers?updated_since=${newest}`)).body.servers.length, 0);
    const before = new Date(Date.parse(newest) - 1).toISOString();
    const since = await gw.json<ListBody>(`/v0.1/servers?updated_since=${before}`);
    assert.ok(since.body.servers.length > 0);
    assert.ok(since.body.servers.some((s) => (s._meta[OFFICIAL] as Meta).status === 'deleted'));
    assert.equal((await gw.json<ListBody>('/v0.1/servers?updated_since=1990-01-01T00:00:00Z')).body.servers.length, 7);
    assert.equal((await gw.json<ListBody>('/v0.1/servers?updated_since=2999-01-01T00:00:00.123456789%2B02:00')).body.servers.length, 0);
    assert.equal((await gw.json<ListBody>('/v0.1/servers?updated_since=1990-01-01T00:00:00Z&include_deleted=true')).status, 200);

    for (const bad of ['yesterday', '2025-13-01T00:00:00Z', '2025-01-01', '1700000000']) {
      const r = await gw.json<ProblemBody>(`/v0.1/servers?updated_since=${bad}`);
      assert.equal(r.status, 400, bad);
      assert.match(r.body.detail, /Invalid updated_since format/);
    }
    const conflict = await gw.json<ProblemBody>('/v0.1/servers?updated_since=1990-01-01T00:00:00Z&include_deleted=false');
    assert.equal(conflict.status, 400);
    assert.match(conflict.body.detail, /include_deleted=false/);
  });

  it('limit out of range or not a number is 422 with the field location', async () => {
    for (const bad of ['0', '-1', '101', '1000', 'abc', '1.5']) {
      const r = await gw.json<ProblemBody>(`/v0.1/servers?limit=${bad}`);
      assert.equal(r.status, 422, bad);
      assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      assert.equal(r.body.title, 'Unprocessable Entity');
      assert.equal(r.body.errors?.[0]?.location, 'query.limit');
    }
    assert.equal((await gw.json<ListBody>('/v0.1/servers?limit=100')).status, 200);
    assert.equal((await gw.json<ListBody>('/v0.1/servers?limit=1')).body.servers.length, 1);
    assert.equal((await gw.json<ProblemBody>('/v0.1/servers?include_deleted=maybe')).status, 422);
    assert.equal((await gw.json<ProblemBody>('/v0.1/servers?limit=1&limit=2')).status, 422);
  });

  it('ignores unknown parameters', async () => {
    assert.equal((await gw.json<ListBody>('/v0.1/servers?q=weather&foo=bar')).body.servers.length, 4);
  });

  it('versions: newest publishedAt first, deleted only with include_deleted, 404 when none visible', async () => {
    const v = await gw.json<ListBody>('/v0.1/servers/io.github.acme%2Fweather/versions');
    assert.deepEqual(rows(v.body), ['io.github.acme/weather@1.1.0', 'io.github.acme/weather@1.0.0']);
    assert.deepEqual(v.body.metadata, { count: 2 });
    const withDeleted = await gw.json<ListBody>('/v0.1/servers/io.github.acme%2Fweather/versions?include_deleted=true');
    assert.equal(withDeleted.body.servers[0]?.server.version, '2.0.0+build.7');
    const gone = await gw.json<ProblemBody>('/v0.1/servers/com.example%2Feverything-deleted/versions');
    assert.equal(gone.status, 404);
    assert.equal(gone.body.detail, 'Server not found');
    assert.equal((await gw.json('/v0.1/servers/com.example%2Feverything-deleted/versions?include_deleted=true')).status, 200);
    assert.equal((await gw.json('/v0.1/servers/no.such%2Fserver/versions')).status, 404);
  });

  it('detail: exact version, latest, + in versions, literal slash, deleted handling', async () => {
    const latest = await gw.json<Entry>('/v0.1/servers/io.github.acme%2Fweather/versions/latest');
    assert.equal(latest.status, 200);
    assert.equal(latest.body.server.version, '1.1.0');
    assert.equal(latest.body._meta[OFFICIAL]?.isLatest, true);
    assert.equal((await gw.json<Entry>('/v0.1/servers/io.github.acme/weather/versions/1.0.0')).body.server.version, '1.0.0');
    assert.equal((await gw.json('/v0.1/servers/io.github.acme%2Fweather/versions/2.0.0+build.7')).status, 404, 'deleted hidden');
    assert.equal((await gw.json<Entry>('/v0.1/servers/io.github.acme%2Fweather/versions/2.0.0%2Bbuild.7?include_deleted=true')).body.server.version, '2.0.0+build.7');
    assert.equal((await gw.json('/v0.1/servers/io.github.acme%2Fweather/versions/9.9.9')).status, 404);
    assert.equal((await gw.json('/v0.1/servers/com.example%2Feverything-deleted/versions/latest')).status, 404);
    assert.equal((await gw.json<Entry>('/v0.1/servers/com.example%2Feverything-deleted/versions/latest?include_deleted=true')).body.server.version, '2.0.0');
  });

  it('the /v0 prefix aliases /v0.1', async () => {
    const a = await gw.json<ListBody>('/v0/servers?limit=2');
    const b = await gw.json<ListBody>('/v0.1/servers?limit=2');
    assert.deepEqual(rows(a.body), rows(b.body));
  });

  it('CORS: read routes allow any origin; preflight answers 204', async () => {
    const r = await gw.get('/v0.1/servers', { headers: { Origin: 'https://github.com' } });
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    const pre = await gw.get('/v0.1/servers', { method: 'OPTIONS', headers: { Origin: 'https://x', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' } });
    assert.equal(pre.status, 204);
    assert.match(pre.headers.get('access-control-allow-methods') ?? '', /GET/);
  });

  it('errors are problem+json: unknown routes, NUL bytes, trailing slashes, bad encoding', async () => {
    const unknown = await gw.json<ProblemBody>('/nothing/here');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.match(unknown.body.detail, /Endpoint not found/);
    assert.equal((await gw.json<ProblemBody>('/v0.1/servers?search=%00')).status, 400);
    const slash = await gw.get('/v0.1/servers/?limit=1', { redirect: 'manual' });
    assert.equal(slash.status, 308);
    assert.equal(slash.headers.get('location'), '/v0.1/servers?limit=1');
    const badEnc = await gw.json<ProblemBody>('/v0.1/servers/io.github.acme%E0%A4%A/versions');
    assert.equal(badEnc.status, 400);
    assert.equal(badEnc.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.equal((await gw.json<ProblemBody>('/v0.1/servers/io.github.acme%2Fweather/other')).status, 404);
  });

  it('every response carries a request id; a sane incoming one is echoed', async () => {
    const r = await gw.get('/v0.1/health', { headers: { 'X-Request-Id': 'abc-123' } });
    assert.equal(r.headers.get('x-request-id'), 'abc-123');
    const generated = await gw.get('/v0.1/health', { headers: { 'X-Request-Id': 'bad id with spaces' } });
    assert.match(generated.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });
});
