import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NOW } from '../../../src/catalog/clock.js';
import { decodeStoredName, encodeStoredName } from '../../../src/catalog/storedNameCodec.js';
import type { StoredName, VersionRecord } from '../../../src/catalog/types.js';

const P = '2025-01-01T00:00:00Z';
const T1 = '2026-01-02T00:00:00.000001Z';
const T2 = '2026-01-03T00:00:00.000002Z';

function record(version: string, extra: Partial<VersionRecord> = {}): VersionRecord {
  return { version, status: 'active', statusChangedAt: P, publishedAt: P, updatedAt: T1, isLatest: false, syncedAt: T1, hash: `h-${version}`, text: 'title\ndescription', ...extra };
}

/** Every field of every record, including ones the compact form leaves out when usual. */
const varied: StoredName = {
  since: T1,
  v: [
    record('0.9.0', { gone: true, status: 'deleted', statusMessage: 'removed from this registry', statusChangedAt: T2, updatedAt: T2, syncedAt: T2 }),
    record('1.0.0', { status: 'deprecated', statusMessage: 'use 2.x', upstreamUpdatedAt: P, text: 'older text' }),
    record('1.1.0', { syncedAt: T2, upstreamUpdatedAt: '2025-06-01T00:00:00Z' }),
    record('2.0.0', { isLatest: true, statusChangedAt: T1 }),
  ],
};

describe('stored name codec', () => {
  it('round-trips every field of every record', () => {
    assert.deepEqual(decodeStoredName(encodeStoredName(varied)), varied);
    const empty: StoredName = { since: '', v: [] };
    assert.deepEqual(decodeStoredName(encodeStoredName(empty)), empty);
  });

  it('is much smaller than the full records (the shared text and change time are stored once)', () => {
    const same: StoredName = { since: T1, v: ['1.0.0', '1.1.0', '1.2.0'].map((v, i) => record(v, { isLatest: i === 2, upstreamUpdatedAt: P })) };
    const compact = encodeStoredName(same);
    assert.ok(compact.length < JSON.stringify(same).length / 2, `${compact.length} vs ${JSON.stringify(same).length}`);
    assert.equal(compact.split('title\\ndescription').length, 2, 'the text is stored once');
    assert.deepEqual(decodeStoredName(compact), same);
  });

  it('keeps the commit-time placeholder as a whole JSON string the script substitutes', () => {
    const pending: StoredName = { since: NOW, v: [record('1.0.0', { updatedAt: NOW, syncedAt: NOW, isLatest: true }), record('0.1.0')] };
    const raw = encodeStoredName(pending);
    const stamped = raw.replaceAll(`"${NOW}"`, `"${T2}"`);
    const back = decodeStoredName(stamped);
    assert.equal(back.since, T2);
    assert.deepEqual(back.v.map((r) => [r.version, r.updatedAt, r.syncedAt]), [['1.0.0', T2, T2], ['0.1.0', T1, T1]]);
  });

  it('reads both earlier formats: {since, v} with full records, and a bare array of records', () => {
    assert.deepEqual(decodeStoredName(JSON.stringify(varied)), varied);
    assert.deepEqual(decodeStoredName(JSON.stringify(varied.v)), { since: '', v: varied.v });
  });

  it('is deterministic (the writer compares raw stored strings)', () => {
    assert.equal(encodeStoredName(varied), encodeStoredName(decodeStoredName(encodeStoredName(varied))));
  });
});
