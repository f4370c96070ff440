import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { item, server } from '../../helpers/corpus.js';
import { startTestGateway, tempDir, writeJson, type TestGateway } from '../../helpers/gateway.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';
import { eventually } from '../../helpers/wait.js';

const OFFICIAL = 'io.modelcontextprotocol.registry/official';
interface Entry {
  server: { name: string; version: string; description: string };
  _meta: Record<string, { updatedAt: string; isLatest: boolean; status: string }>;
}
interface ListBody {
  servers: Entry[];
  metadata: { count: number };
}
interface Registry {
  name: string;
  type: string;
  createdAt: string;
  updatedAt: string;
  syncStatus: { phase: string; attemptCount: number; serverCount: number; versionCount: number; message: string; lastSyncTime?: string; skippedCount: number };
}


describe('file registries', () => {
  let redis: TestRedis;
  let gw: TestGateway;
  let dir: string;
  let file: string;

  before(async () => {
    redis = await startTestRedis();
    dir = tempDir();
    file = writeJson(dir, 'cat.json', [server('io.x/a', '1.0.0'), server('io.x/b', '1.0.0'), server('io.x/c', '1.0.0'), { name: 'broken' }]);
    gw = await startTestGateway({
      redisUrl: redis.url,
      prefix: redis.prefix(),
      dir,
      raw: {
        registries: [
          { name: 'cat', type: 'file', path: 'cat.json', filter: { include: ['io.x/*'], exclude: ['io.x/c'] } },
          { name: 'missing', type: 'file', path: 'nope.json' },
        ],
        access: { admins: ['$anonymous'] },
      },
    });
  });
  after(async () => {
    await gw?.close();
    await redis?.stop();
  });

  it('loads at start-up, applies filters, skips and counts invalid entries', async () => {
    const { body } = await gw.json<ListBody>('/v0.1/servers');
    assert.deepEqual(body.servers.map((s) => s.server.name), ['io.x/a', 'io.x/b']);
    const reg = await gw.json<Registry>('/v0.1/registries/cat');
    assert.equal(reg.status, 200);
    assert.equal(reg.body.type, 'file');
    assert.ok(reg.body.createdAt && reg.body.updatedAt);
    assert.equal(reg.body.syncStatus.phase, 'complete');
    assert.equal(reg.body.syncStatus.serverCount, 2);
    assert.equal(reg.body.syncStatus.skippedCount, 1);
    assert.match(reg.body.syncStatus.message, /1 invalid entry skipped \(first: entry 3 broken: name: must look like/);
  });

  it('a missing file is a failed registry with the reason, not a crash', async () => {
    const reg = await gw.json<Registry>('/v0.1/registries/missing');
    assert.equal(reg.body.syncStatus.phase, 'failed');
    assert.match(reg.body.syncStatus.message, /cannot read nope\.json: file not found/);
    assert.equal(reg.body.syncStatus.attemptCount, 1);
    const all = await gw.json<{ registries: Registry[] }>('/v0.1/registries');
    assert.deepEqual(all.body.registries.map((r) => r.name), ['cat', 'missing']);
    assert.equal(reg.body.syncStatus.lastSyncTime, null, 'documented keys are present, null when unknown');
  });

  it('reloads when the file changes; updatedAt moves only for entries that changed', async () => {
    const before = await gw.json<ListBody>('/v0.1/servers');
    const aBefore = before.body.servers.find((s) => s.server.name === 'io.x/a') as Entry;
    const t0 = aBefore._meta[OFFICIAL]?.updatedAt as string;
    await new Promise((r) => setTimeout(r, 5));
    writeJson(dir, 'cat.json', [server('io.x/a', '1.0.0'), server('io.x/b', '1.0.0', { description: 'changed' }), server('io.x/b', '2.0.0'), server('io.x/d', '1.0.0')]);
    await eventually(async () => (await gw.json<ListBody>('/v0.1/servers')).body.servers.some((s) => s.server.name === 'io.x/d'));

    const since = await gw.json<ListBody>(`/v0.1/servers?updated_since=${t0}`);
    assert.deepEqual(since.body.servers.map((s) => `${s.server.name}@${s.server.version}`), ['io.x/b@1.0.0', 'io.x/b@2.0.0', 'io.x/d@1.0.0']);
    const b1 = since.body.servers[0] as Entry;
    assert.equal(b1.server.description, 'changed');
    assert.equal(b1._meta[OFFICIAL]?.isLatest, false, 'isLatest recomputed');
    const a = (await gw.json<Entry>('/v0.1/servers/io.x%2Fa/versions/latest')).body;
    assert.equal(a._meta[OFFICIAL]?.updatedAt, t0, 'unchanged entry keeps its change time');
  });

  it('names removed from the file leave the catalogue', async () => {
    writeJson(dir, 'cat.json', [server('io.x/d', '1.0.0')]);
    await gw.fileSources[0]?.load();
    const { body } = await gw.json<ListBody>('/v0.1/servers');
    assert.deepEqual(body.servers.map((s) => s.server.name), ['io.x/d']);
    assert.equal((await gw.json('/v0.1/servers/io.x%2Fa/versions')).status, 404);
  });

  it('a broken file keeps the last good data and reports failed; recovery resets attemptCount', async () => {
    writeFileSync(path.join(dir, 'cat.json'), '{"servers": [ oops');
    await gw.fileSources[0]?.load();
    let reg = await gw.json<Registry>('/v0.1/registries/cat');
    assert.equal(reg.body.syncStatus.phase, 'failed');
    assert.match(reg.body.syncStatus.message, /cat\.json is not valid JSON/);
    assert.equal(reg.body.syncStatus.attemptCount, 1);
    assert.ok(reg.body.syncStatus.lastSyncTime, 'lastSyncTime of the last success is kept');
    assert.deepEqual((await gw.json<ListBody>('/v0.1/servers')).body.servers.map((s) => s.server.name), ['io.x/d']);

    writeJson(dir, 'cat.json', [{ name: 'bad' }, { version: '1' }]);
    await gw.fileSources[0]?.load();
    reg = await gw.json<Registry>('/v0.1/registries/cat');
    assert.equal(reg.body.syncStatus.attemptCount, 2);
    assert.match(reg.body.syncStatus.message, /every entry in cat\.json is invalid/);
    assert.deepEqual((await gw.json<ListBody>('/v0.1/servers')).body.servers.map((s) => s.server.name), ['io.x/d']);

    writeJson(dir, 'cat.json', { servers: [item(server('io.x/e', '1.0.0'))] });
    await gw.fileSources[0]?.load();
    reg = await gw.json<Registry>('/v0.1/registries/cat');
    assert.equal(reg.body.syncStatus.phase, 'complete');
    assert.equal(reg.body.syncStatus.attemptCount, 0);
    assert.deepEqual((await gw.json<ListBody>('/v0.1/servers')).body.servers.map((s) => s.server.name), ['io.x/e']);
  });

  it('POST /v0.1/registries/{name}/sync reloads a file registry (202); managed and unknown are refused', async () => {
    writeJson(dir, 'cat.json', [server('io.x/f', '1.0.0')]);
    const r = await gw.get('/v0.1/registries/cat/sync', { method: 'POST' });
    assert.equal(r.status, 202);
    await eventually(async () => (await gw.json<ListBody>('/v0.1/servers')).body.servers.some((s) => s.server.name === 'io.x/f'));
    assert.equal((await gw.get('/v0.1/registries/nope/sync', { method: 'POST' })).status, 404);
  });
});
