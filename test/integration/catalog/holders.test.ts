import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CatalogStore } from '../../../src/catalog/CatalogStore.js';
import { Keys } from '../../../src/catalog/keys.js';
import type { IncomingEntry } from '../../../src/catalog/types.js';
import { server } from '../../helpers/corpus.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';

const group = (...entries: IncomingEntry[]) => new Map(entries.map((e) => [e.server.name, [e]]));

describe('holder records', () => {
  let redis: TestRedis;
  before(async () => {
    redis = await startTestRedis();
  });
  after(async () => {
    await redis?.stop();
  });

  it('record which registries hold a name and when that changed with other holders involved', async () => {
    const client = redis.client();
    const keys = new Keys(redis.prefix());
    const store = new CatalogStore(client, keys);
    await store.writeNames('a', group({ server: server('io.x/shared', '1.0.0') }, { server: server('io.x/only-a', '1.0.0') }), 'upsert');
    assert.deepEqual(await store.holderChanges(['io.x/shared', 'io.x/only-a']), [0, 0], 'a first holder is no ownership change');
    const before = Date.now();
    await store.writeNames('b', group({ server: server('io.x/shared', '2.0.0') }), 'upsert');
    const [t] = await store.holderChanges(['io.x/shared']);
    assert.ok((t ?? 0) >= before, 'a second holder is');
    assert.deepEqual(JSON.parse((await client.hget(keys.holders, 'io.x/shared')) as string).r, ['a', 'b']);
    await store.removeNames('b', ['io.x/shared']);
    assert.deepEqual(JSON.parse((await client.hget(keys.holders, 'io.x/shared')) as string).r, ['a']);
    await store.removeNames('a', ['io.x/only-a']);
    assert.equal(await client.hget(keys.holders, 'io.x/only-a'), null, 'no holders, no record');
  });

  it('are backfilled for data written before they existed, without overwriting live ones', async () => {
    const client = redis.client();
    const keys = new Keys(redis.prefix());
    const store = new CatalogStore(client, keys);
    await store.writeNames('a', group({ server: server('io.x/one', '1.0.0') }, { server: server('io.x/two', '1.0.0') }), 'upsert');
    await store.writeNames('b', group({ server: server('io.x/one', '1.0.0') }), 'upsert');
    await client.del(keys.holders);
    assert.equal(await store.backfillHolders(['a', 'b']), 2);
    assert.deepEqual(JSON.parse((await client.hget(keys.holders, 'io.x/one')) as string), { r: ['a', 'b'], t: 0 });
    assert.equal(await store.backfillHolders(['a', 'b']), 0, 'nothing to do once present');
    const before = Date.now();
    await store.removeNames('b', ['io.x/one']);
    assert.ok(((await store.holderChanges(['io.x/one']))[0] ?? 0) >= before, 'backfilled records drive ownership changes');
  });
});
