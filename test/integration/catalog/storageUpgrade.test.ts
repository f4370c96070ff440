import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { CatalogStore } from '../../../src/catalog/CatalogStore.js';
import { CatalogWriter } from '../../../src/catalog/CatalogWriter.js';
import { Keys, bodyField } from '../../../src/catalog/keys.js';
import { hashBody, searchText } from '../../../src/catalog/merge.js';
import { OFFICIAL_META_KEY, type ServerJson, type VersionRecord } from '../../../src/catalog/types.js';
import { server } from '../../helpers/corpus.js';
import { startTestGateway } from '../../helpers/gateway.js';
import { referenceMetaPrefix } from '../../helpers/metaPrefix.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';

const T0 = '2025-10-01T00:00:00Z';
const T1 = '2026-01-01T10:00:00.000001Z';

/** A version record exactly as the previous writer stored it (every field, search text per version). */
function legacyRecord(body: ServerJson, extra: Partial<VersionRecord> = {}): VersionRecord {
  return { version: body.version, status: 'active', statusChangedAt: T0, publishedAt: T0, updatedAt: T1, isLatest: false, syncedAt: T1, hash: hashBody(JSON.stringify(body)), text: searchText(body), upstreamUpdatedAt: T0, ...extra };
}

/** Writes names into `registry` in the previous storage format (`{since, v}` records, `srv` and `om` hashes). */
async function seedLegacy(redis: Redis, keys: Keys, registry: string, names: Record<string, Array<[ServerJson, Partial<VersionRecord>]>>): Promise<void> {
  let versions = 0;
  for (const [name, entries] of Object.entries(names)) {
    const records = entries.map(([body, extra]) => legacyRecord(body, extra));
    await redis.hset(keys.meta(registry), name, JSON.stringify({ since: T1, v: records }));
    for (const [i, [body]] of entries.entries()) {
      await redis.hset(`${keys.base}r:${registry}:srv`, bodyField(name, body.version), JSON.stringify(body));
      await redis.hset(`${keys.base}r:${registry}:om`, bodyField(name, body.version), referenceMetaPrefix(registry, records[i] as VersionRecord));
    }
    versions += records.length;
  }
  await redis.hset(keys.counts, `${registry}:names`, Object.keys(names).length, `${registry}:versions`, versions);
}

const tool1 = server('com.acme/tool', '1.0.0', { description: 'Tool — ünïcode 1' });
const tool2 = server('com.acme/tool', '1.1.0', { description: 'Tool — ünïcode 1' });
const other = server('com.acme/other', '0.3.0', { title: 'Other', description: 'another' });
const legacyNames = {
  'com.acme/tool': [
    [tool1, {}],
    [tool2, { isLatest: true }],
  ] as Array<[ServerJson, Partial<VersionRecord>]>,
  'com.acme/other': [[other, { isLatest: true, status: 'deprecated', statusMessage: 'use tool' }]] as Array<[ServerJson, Partial<VersionRecord>]>,
};

describe('upgrade in place from the previous storage format', () => {
  let redis: TestRedis;
  before(async () => {
    redis = await startTestRedis();
  });
  after(async () => {
    await redis.stop();
  });

  it('serves previous-format data as it was, writes over it, and moves the rest at start', async () => {
    const client = redis.client();
    const keys = new Keys(redis.prefix());
    await seedLegacy(client, keys, 'internal', legacyNames);
    const store = new CatalogStore(client, keys);
    const refs = [
      { registry: 'internal', name: 'com.acme/tool', version: '1.0.0' },
      { registry: 'internal', name: 'com.acme/other', version: '0.3.0' },
    ];
    const before = await store.getEntries(refs);
    assert.equal(before[0]?.body.toString(), JSON.stringify(tool1));
    assert.equal(before[1]?.metaPrefix.toString(), referenceMetaPrefix('internal', legacyRecord(other, { isLatest: true, status: 'deprecated', statusMessage: 'use tool' })));
    const names = await store.readNames('internal', ['com.acme/tool']);
    assert.deepEqual(names.get('com.acme/tool')?.v.map((r) => [r.version, r.isLatest, r.text]), [
      ['1.0.0', false, searchText(tool1)],
      ['1.1.0', true, searchText(tool2)],
    ]);

    // A write over a name of the previous format: the compare-and-set matches its raw value, the
    // unchanged body moves over from the legacy hash, and the name's legacy fields go.
    const writer = new CatalogWriter(client, keys, { maxVersionsPerName: 100, tombstoneRetentionMs: 86_400_000 });
    const written = await writer.upsert('internal', new Map([['com.acme/tool', [{ server: tool1, official: { status: 'deprecated', statusMessage: 'old', publishedAt: T0, updatedAt: T0 } }]]]));
    assert.equal(written.changedNames, 1);
    const [tool] = await store.getEntries(refs.slice(0, 1));
    assert.equal(tool?.body.toString(), JSON.stringify(tool1));
    const meta = JSON.parse(`${tool?.metaPrefix.toString()}[]}}`) as Record<string, Record<string, unknown>>;
    assert.equal(meta[OFFICIAL_META_KEY]?.status, 'deprecated');
    assert.equal(await client.hexists(`${keys.base}r:internal:srv`, bodyField('com.acme/tool', '1.0.0')), 0);
    assert.equal(await client.hexists(`${keys.base}r:internal:om`, bodyField('com.acme/tool', '1.1.0')), 0);

    // The rest moves when a worker starts; the served bytes do not change.
    const moved = await writer.migrateLegacyEntries('internal');
    assert.equal(moved, 1);
    assert.equal(await client.exists(`${keys.base}r:internal:srv`, `${keys.base}r:internal:om`), 0);
    const [, otherAfter] = await store.getEntries(refs);
    assert.deepEqual([otherAfter?.body.toString(), otherAfter?.metaPrefix.toString()], [before[1]?.body.toString(), before[1]?.metaPrefix.toString()]);
    assert.equal(await writer.migrateLegacyEntries('internal'), 0);
  });

  it('a gateway serves previous-format data identically before and after its worker moves it', async () => {
    const prefix = redis.prefix();
    const keys = new Keys(prefix);
    await seedLegacy(redis.client(), keys, 'internal', legacyNames);
    const raw = { registries: [{ name: 'internal', type: 'managed' }] };
    const paths = ['/v0.1/servers?include_deleted=true', '/v0.1/servers/com.acme%2Ftool/versions', '/v0.1/servers/com.acme%2Fother/versions/latest'];
    const api = await startTestGateway({ redisUrl: redis.url, prefix, raw, role: 'api' });
    const served: string[] = [];
    try {
      for (const p of paths) served.push(await (await api.get(p)).text());
    } finally {
      await api.close();
    }
    assert.match(served[2] as string, /"statusMessage":"use tool"/);
    assert.match(served[1] as string, /ünïcode/);
    const all = await startTestGateway({ redisUrl: redis.url, prefix, raw, role: 'all' });
    try {
      assert.equal(await redis.client().exists(`${keys.base}r:internal:om`), 0, 'the worker moved the entries at start');
      for (const [i, p] of paths.entries()) assert.equal(await (await all.get(p)).text(), served[i], p);
    } finally {
      await all.close();
    }
  });
});
