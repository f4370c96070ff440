import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { documentItems, groupByName, parseItem, parseItems } from '../../../src/sync/entries.js';
import { item, server } from '../../helpers/corpus.js';

const OFFICIAL = 'io.modelcontextprotocol.registry/official';

describe('entries', () => {
  it('accepts arrays and v0.1 list documents', () => {
    assert.equal(documentItems([1, 2])?.length, 2);
    assert.equal(documentItems({ servers: [1], metadata: {} })?.length, 1);
    assert.equal(documentItems({ nope: [] }), undefined);
    assert.equal(documentItems('x'), undefined);
  });

  it('reads a wrapped item with official metadata', () => {
    const e = parseItem(item(server('io.x/y', '1.0.0'), { status: 'deprecated', statusMessage: 'old', publishedAt: '2025-05-01T00:00:00Z' }));
    assert.ok('server' in e);
    assert.equal(e.official?.status, 'deprecated');
    assert.equal(e.official?.statusMessage, 'old');
    assert.equal(e.official?.publishedAt, '2025-05-01T00:00:00Z');
  });

  it('keeps the body exactly as received (key order included)', () => {
    const raw = { version: '1.0.0', name: 'io.x/y', zeta: 1, description: 'd', alpha: { b: 1, a: 2 } };
    const e = parseItem(raw);
    assert.ok('server' in e);
    assert.equal(JSON.stringify(e.server), JSON.stringify(raw));
  });

  it('moves legacy official metadata out of the server body', () => {
    const legacy = { ...server('io.x/y', '1.0.0'), _meta: { [OFFICIAL]: { status: 'deleted', publishedAt: '2025-01-01T00:00:00Z' }, 'com.pub/x': { a: 1 } } };
    const e = parseItem(legacy);
    assert.ok('server' in e);
    assert.equal(e.official?.status, 'deleted');
    assert.deepEqual(e.server._meta, { 'com.pub/x': { a: 1 } });
  });

  it('skips invalid entries with a reason, never throws', () => {
    const { entries, skipped } = parseItems([
      server('io.x/ok', '1.0.0'),
      { name: 'no-slash', version: '1' },
      { name: 'io.x/y', version: 'latest' },
      { name: 'io.x/y' },
      'text',
      item(server('io.x/z', '1.0.0'), { status: 'weird' }),
    ]);
    assert.equal(entries.length, 1);
    assert.deepEqual(skipped.map((s) => s.index), [1, 2, 3, 4, 5]);
    assert.match(skipped[0]?.reason ?? '', /namespace\/server/);
    assert.match(skipped[1]?.reason ?? '', /latest/);
    assert.match(skipped[4]?.reason ?? '', /_meta\.official\.status/);
  });

  it('groups by name and keeps the last duplicate version', () => {
    const groups = groupByName([
      { server: server('a.b/c', '1.0.0', { description: 'first' }) },
      { server: server('a.b/c', '1.0.0', { description: 'second' }) },
      { server: server('a.b/d', '1.0.0') },
    ]);
    assert.equal(groups.size, 2);
    assert.equal(groups.get('a.b/c')?.length, 1);
    assert.equal(groups.get('a.b/c')?.[0]?.server.description, 'second');
  });
});
