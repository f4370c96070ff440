import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metaFromLegacyPrefix, readStoredEntry, storedMeta } from '../../../src/catalog/storedEntry.js';
import type { VersionRecord } from '../../../src/catalog/types.js';
import { referenceMetaPrefix } from '../../helpers/metaPrefix.js';

const P = '2025-01-01T00:00:00Z';
const T1 = '2026-01-02T00:00:00.000001Z';
const T2 = '2026-01-03T00:00:00.000002Z';

function record(extra: Partial<VersionRecord> = {}): VersionRecord {
  return { version: '1.0.0', status: 'active', statusChangedAt: P, publishedAt: P, updatedAt: T1, isLatest: false, syncedAt: T1, hash: 'h', text: '', ...extra };
}

const varied: Array<[string, VersionRecord]> = [
  ['usual values', record()],
  ['latest, upstream time equal to publishedAt', record({ isLatest: true, upstreamUpdatedAt: P })],
  ['every time different', record({ statusChangedAt: T2, upstreamUpdatedAt: '2025-06-01T00:00:00.5+02:00', syncedAt: T2 })],
  ['deprecated with a message needing escapes', record({ status: 'deprecated', statusMessage: 'use "v2" \\ now\n — ünïcode 🚀 \u0000', statusChangedAt: T2 })],
  ['removed tombstone', record({ status: 'deleted', statusMessage: 'removed from this registry', gone: true })],
];
const body = JSON.stringify({ name: 'io.x/y', version: '1.0.0', description: 'a\u0000b — ü' });

describe('stored entry values', () => {
  for (const [label, r] of varied) {
    it(`serves exactly the reference _meta prefix and body: ${label}`, () => {
      for (const registry of ['up0', 'a-registry.with_chars']) {
        const value = Buffer.from(`${storedMeta(r)}\u0000${body}`);
        const entry = readStoredEntry(registry, value);
        assert.equal(entry?.metaPrefix.toString(), referenceMetaPrefix(registry, r));
        assert.equal(entry?.body.toString(), body);
      }
    });
  }

  it('converts every previous-format prefix to the same stored values', () => {
    for (const [, r] of varied) assert.equal(metaFromLegacyPrefix(referenceMetaPrefix('up0', r)), storedMeta(r));
    assert.equal(metaFromLegacyPrefix('{"not":"a prefix",'), undefined);
  });

  it('stores far fewer bytes than the rendered prefix', () => {
    const r = record({ isLatest: true, upstreamUpdatedAt: P });
    assert.ok(storedMeta(r).length * 3 < referenceMetaPrefix('up0', r).length, `${storedMeta(r).length} vs ${referenceMetaPrefix('up0', r).length}`);
  });

  it('a malformed value reads as absent', () => {
    assert.equal(readStoredEntry('up0', Buffer.from('active\u0000"x"')), undefined);
  });
});
