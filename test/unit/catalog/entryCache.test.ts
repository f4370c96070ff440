import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EntryCache, SEGMENT_BYTES } from '../../../src/catalog/EntryCache.js';

const entry = (text: string, size = 100) => ({ body: Buffer.from(text.padEnd(size, '.')), metaPrefix: Buffer.from('{"_meta":{') });

describe('EntryCache: bounded, and only ever for the record an entry was fetched with', () => {
  it('serves an entry only for the same record object', () => {
    const cache = new EntryCache(SEGMENT_BYTES);
    const record = {};
    cache.set(record, 'k', entry('a'));
    const got = cache.get(record, 'k');
    assert.equal(got?.body.toString().slice(0, 2), 'a.');
    assert.equal(got?.metaPrefix.toString(), '{"_meta":{');
    assert.equal(cache.get({}, 'k'), undefined, 'another record of the name (a later write) misses');
    assert.equal(cache.get(record, 'other'), undefined);
  });

  it('keeps copies: neither the fetched buffer nor a served copy can change what it holds', () => {
    const cache = new EntryCache(SEGMENT_BYTES);
    const network = Buffer.alloc(64 * 1024, 'x');
    const record = {};
    cache.set(record, 'k', { body: network.subarray(0, 10), metaPrefix: network.subarray(10, 20) });
    network.fill('y');
    const got = cache.get(record, 'k');
    assert.equal(got?.body.toString(), 'xxxxxxxxxx');
    got?.body.fill('z');
    assert.equal(cache.get(record, 'k')?.body.toString(), 'xxxxxxxxxx');
  });

  it('holds at most its budget, reusing the oldest segment first; below one segment keeps nothing', () => {
    const cache = new EntryCache(2 * SEGMENT_BYTES);
    const record = {};
    const third = Math.floor(SEGMENT_BYTES / 3) - 20;
    for (let i = 0; i < 7; i++) cache.set(record, `k${i}`, entry(String(i), third));
    assert.equal(cache.bytes, 2 * SEGMENT_BYTES);
    assert.equal(cache.get(record, 'k0'), undefined, 'the first segment was reused for the seventh entry');
    assert.equal(cache.get(record, 'k2'), undefined);
    for (const k of ['k3', 'k4', 'k5', 'k6']) assert.equal(cache.get(record, k)?.body.toString().slice(0, 1), k.slice(1), k);
    cache.set(record, 'k3', entry('again', third));
    assert.equal(cache.get(record, 'k3')?.body.toString().slice(0, 5), 'again', 'a re-set entry is found where it was written last');
    assert.equal(cache.get(record, 'big'), undefined);
    cache.set(record, 'big', entry('x', SEGMENT_BYTES + 1));
    assert.equal(cache.get(record, 'big'), undefined, 'larger than a segment: not cached');
    const off = new EntryCache(SEGMENT_BYTES - 1);
    off.set(record, 'k', entry('a'));
    assert.equal(off.get(record, 'k'), undefined);
    assert.equal(off.bytes, 0);
  });
});
