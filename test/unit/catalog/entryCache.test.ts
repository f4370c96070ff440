import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EntryCache } from '../../../src/catalog/EntryCache.js';

const entry = (text: string, size = 100) => ({ body: Buffer.from(text.padEnd(size, '.')), metaPrefix: Buffer.from('{"_meta":{') });

describe('EntryCache: bounded, and only ever for the record an entry was fetched with', () => {
  it('serves an entry only for the same record object', () => {
    const cache = new EntryCache(1 << 20);
    const record = {};
    cache.set(record, 'k', entry('a'));
    assert.equal(cache.get(record, 'k')?.body.toString().slice(0, 1), 'a');
    assert.equal(cache.get({}, 'k'), undefined, 'another record of the name (a later write) misses');
      });

  it('keeps copies, not views of a larger fetched buffer', () => {
    const cache = new EntryCache(1 << 20);
    const network = Buffer.alloc(64 * 1024, 'x');
    const record = {};
    cache.set(record, 'k', { body: network.subarray(0, 10), metaPrefix: network.subarray(10, 20) });
    const got = cache.get(record, 'k');
    assert.equal(got?.body.buffer.byteLength, 10);
    network.fill('y');
    assert.equal(got?.body.toString(), 'xxxxxxxxxx');
  });

  it('evicts the least recently used entries beyond its budget; 0 keeps nothing', () => {
    const cache = new EntryCache(4000);
    const record = {};
    for (let i = 0; i < 20; i++) {
      cache.set(record, `k${i}`, entry(String(i)));
      cache.get(record, 'k0');
    }
    assert.ok(cache.bytes <= 4000, `${cache.bytes} bytes`);
    assert.ok(cache.get(record, 'k0'), 'recently used survives');
    assert.equal(cache.get(record, 'k1'), undefined, 'least recently used went first');
    assert.ok(cache.get(record, 'k19'));
    const off = new EntryCache(0);
    off.set(record, 'k', entry('a'));
    assert.equal(off.get(record, 'k'), undefined);
  });
});
