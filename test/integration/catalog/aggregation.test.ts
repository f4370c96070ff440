import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { item, server } from '../../helpers/corpus.js';
import { startTestGateway, tempDir, writeJson, type TestGateway } from '../../helpers/gateway.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';

interface Entry {
  server: { name: string; version: string; description: string };
  _meta: Record<string, Record<string, unknown>>;
}
interface ListBody {
  servers: Entry[];
  metadata: { count: number; nextCursor?: string };
}
const GW = 'io.github.mcp-registry-gateway/federation';
const OFFICIAL = 'io.modelcontextprotocol.registry/official';
const rows = (b: ListBody) => b.servers.map((s) => `${s.server.name}@${s.server.version}`);

describe('aggregation across overlapping registries', () => {
  let redis: TestRedis;
  let gw: TestGateway;

  before(async () => {
    redis = await startTestRedis();
    const dir = tempDir();
    // internal (priority 0) holds com.acme/tool 1.0.0 and a deleted com.acme/retired.
    writeJson(dir, 'internal.json', {
      servers: [
        item(server('com.acme/tool', '1.0.0', { description: 'internal tool' })),
        item(server('com.acme/retired', '1.0.0', { description: 'internal retired' }), { status: 'deleted' }),
      ],
    });
    // public (priority 1) tries to shadow both with higher versions, and has its own names.
    writeJson(dir, 'public.json', [
      server('com.acme/tool', '9.9.9', { description: 'public shadow' }),
      server('com.acme/tool', '1.0.0', { description: 'public shadow same version' }),
      server('com.acme/retired', '2.0.0', { description: 'public shadow of a deleted name' }),
      server('io.github.open/thing', '1.0.0', { description: 'public only' }),
    ]);
    writeJson(dir, 'mirror.json', [server('io.github.open/thing', '0.5.0', { description: 'mirror copy' })]);
    gw = await startTestGateway({
      redisUrl: redis.url,
      prefix: redis.prefix(),
      dir,
      raw: {
        registries: [
          { name: 'internal', type: 'file', path: 'internal.json', watch: false },
          { name: 'public', type: 'file', path: 'public.json', watch: false },
          { name: 'mirror', type: 'file', path: 'mirror.json', watch: false },
        ],
      },
    });
  });
  after(async () => {
    await gw?.close();
    await redis?.stop();
  });

  it('each name comes from the highest-priority registry holding it, with no version mixing', async () => {
    const { body } = await gw.json<ListBody>('/v0.1/servers');
    assert.deepEqual(rows(body), ['com.acme/tool@1.0.0', 'io.github.open/thing@1.0.0']);
    const tool = body.servers[0] as Entry;
    assert.equal(tool.server.description, 'internal tool');
    assert.equal(tool._meta[GW]?.registry, 'internal');
    assert.deepEqual(tool._meta[GW]?.alsoIn, ['public']);
    assert.deepEqual(body.servers[1]?._meta[GW]?.alsoIn, ['mirror']);
  });

  it('a deleted internal name does not fall through to a public upstream', async () => {
    assert.equal((await gw.json('/v0.1/servers/com.acme%2Fretired/versions')).status, 404);
    assert.equal((await gw.json('/v0.1/servers/com.acme%2Fretired/versions/latest')).status, 404);
    assert.equal((await gw.json('/v0.1/servers/com.acme%2Fretired/versions/2.0.0')).status, 404);
    const withDeleted = await gw.json<ListBody>('/v0.1/servers?include_deleted=true&search=retired');
    assert.deepEqual(rows(withDeleted.body), ['com.acme/retired@1.0.0', 'com.acme/retired@2.0.0']);
    // The public upstream's version is a displaced tombstone (DESIGN §3), never live or latest.
    const displaced = withDeleted.body.servers[1] as Entry;
    assert.equal(displaced._meta[OFFICIAL]?.status, 'deleted');
    assert.equal(displaced._meta[OFFICIAL]?.isLatest, false);
    assert.equal(displaced._meta[GW]?.registry, 'public');
    assert.equal(displaced._meta[GW]?.displacedBy, 'internal');
  });

  it('versions and latest of a shadowed name come only from the owner', async () => {
    const versions = await gw.json<ListBody>('/v0.1/servers/com.acme%2Ftool/versions');
    assert.deepEqual(rows(versions.body), ['com.acme/tool@1.0.0']);
    const latest = await gw.json<Entry>('/v0.1/servers/com.acme%2Ftool/versions/latest');
    assert.equal(latest.body.server.version, '1.0.0');
    assert.equal((await gw.json('/v0.1/servers/com.acme%2Ftool/versions/9.9.9')).status, 404);
    assert.deepEqual(rows((await gw.json<ListBody>('/v0.1/servers?version=9.9.9')).body), []);
  });

  it('per-registry routes show each registry its own view', async () => {
    const pub = await gw.json<ListBody>('/public/v0.1/servers');
    assert.deepEqual(rows(pub.body), ['com.acme/retired@2.0.0', 'com.acme/tool@1.0.0', 'com.acme/tool@9.9.9', 'io.github.open/thing@1.0.0']);
    const latest = await gw.json<Entry>('/public/v0.1/servers/com.acme%2Ftool/versions/latest');
    assert.equal(latest.body.server.version, '9.9.9');
    assert.deepEqual(latest.body._meta[GW]?.alsoIn, ['internal']);
    const mirror = await gw.json<Entry>('/mirror/v0.1/servers/io.github.open%2Fthing/versions/latest');
    assert.equal(mirror.body.server.description, 'mirror copy');
    assert.equal((await gw.json('/mirror/v0.1/servers/com.acme%2Ftool/versions')).status, 404);
    assert.equal((await gw.json('/unknown/v0.1/servers')).status, 404);
  });

  it('removing a name from the owner hands it to the next registry', async () => {
    const internal = gw.fileSources.find((s) => s.config.name === 'internal');
    writeJson(path.dirname(internal?.config.path ?? ''), 'internal.json', { servers: [item(server('com.acme/retired', '1.0.0'), { status: 'deleted' })] });
    await internal?.load();
    const latest = await gw.json<Entry>('/v0.1/servers/com.acme%2Ftool/versions/latest');
    assert.equal(latest.body.server.version, '9.9.9');
    assert.equal(latest.body._meta[GW]?.registry, 'public');
    assert.deepEqual(latest.body._meta[GW]?.alsoIn, []);
  });
});
