import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatMicros } from '../../../src/catalog/clock.js';
import { feedRows } from '../../../src/catalog/feedRows.js';
import { findVersion, listRows, listVersions } from '../../../src/catalog/listing.js';
import { ReadModel } from '../../../src/catalog/ReadModel.js';
import type { StoredName, VersionRecord } from '../../../src/catalog/types.js';
import type { Visibility } from '../../../src/catalog/visibility.js';

// The read model and its queries are pure: built from stored names, no Redis.

const T = (s: number) => formatMicros(1_700_000_000_000_000 + s * 1_000_000);
const us = (s: number) => 1_700_000_000_000_000 + s * 1_000_000;

function rec(version: string, at: number, extra: Partial<VersionRecord> = {}): VersionRecord {
  return { version, status: 'active', statusChangedAt: T(at), publishedAt: T(at), updatedAt: T(at), isLatest: false, syncedAt: T(at), hash: version, text: `title ${version}\n`, ...extra };
}
const stored = (since: number, ...v: VersionRecord[]): StoredName => ({ since: since ? T(since) : '', v });
const everyone: Visibility = { admin: true, registries: [0, 1, 2], canSee: () => true };
const without = (hidden: number): Visibility => ({ admin: false, registries: [0, 1, 2].filter((i) => i !== hidden), canSee: () => true });
const agg = { kind: 'aggregate' } as const;
const keys = (rows: Array<{ name: string; version: string }>) => rows.map((r) => `${r.name}@${r.version}`);

function model(): ReadModel {
  const m = new ReadModel(['internal', 'curated', 'public']);
  m.reset((i, put) => {
    if (i === 0) put('io.x/a', stored(50, rec('2.0.0', 50, { isLatest: true })));
    if (i === 1) put('io.x/gone', stored(0, rec('1.0.0', 40, { status: 'deleted', gone: true })));
    if (i === 2) {
      put('io.x/a', stored(10, rec('1.0.0', 10), rec('2.0.0', 10), rec('3.0.0', 20, { isLatest: true })));
      put('io.x/gone', stored(5, rec('0.9.0', 5, { isLatest: true })));
      put('io.x/z', stored(30, rec('1.0.0', 30, { isLatest: true })));
    }
  });
  return m;
}

describe('read model queries', () => {
  it('serve each name from the highest-priority visible registry holding a live version', () => {
    const m = model();
    assert.deepEqual(keys(listRows(m, everyone, agg, { includeDeleted: false }, 10, 0).rows), ['io.x/a@2.0.0', 'io.x/gone@0.9.0', 'io.x/z@1.0.0']);
    assert.deepEqual(keys(listRows(m, without(0), agg, { includeDeleted: false }, 10, 0).rows), ['io.x/a@1.0.0', 'io.x/a@2.0.0', 'io.x/a@3.0.0', 'io.x/gone@0.9.0', 'io.x/z@1.0.0']);
  });

  it('show displaced versions as tombstones stamped with the owner\'s start, only with include_deleted', () => {
    const rows = listRows(model(), everyone, agg, { includeDeleted: true }, 10, 0).rows;
    const a = rows.filter((r) => r.name === 'io.x/a');
    assert.deepEqual(a.map((r) => [r.version, r.registry, r.deleted, r.latest, r.displacedBy, r.timeUs]), [
      ['1.0.0', 2, true, false, 0, us(50)],
      ['2.0.0', 0, false, true, undefined, us(50)],
      ['3.0.0', 2, true, false, 0, us(50)],
    ]);
  });

  it('a removed version of a higher registry stamps the lower owner\'s rows with the removal time', () => {
    const rows = listRows(model(), everyone, agg, { includeDeleted: true }, 10, 0).rows.filter((r) => r.name === 'io.x/gone');
    assert.deepEqual(rows.map((r) => [r.version, r.registry, r.deleted, r.timeUs, r.bumped]), [
      ['0.9.0', 2, false, us(40), true],
      ['1.0.0', 1, true, us(40), false],
    ]);
  });

  it('make the updated_since feed equal the include_deleted listing, for every caller', () => {
    const m = model();
    for (const view of [everyone, without(0), without(1), without(2)]) {
      const listing = listRows(m, view, agg, { includeDeleted: true }, 100, 0).rows;
      const feed = listRows(m, view, agg, { includeDeleted: true, updatedSinceUs: 0 }, 100, 0).rows;
      assert.deepEqual(feed, listing);
      const byChange = feedRows(m, view, agg, { timeUs: 0, name: '', version: '' }, 100, 0);
      assert.deepEqual(new Set(keys(byChange)), new Set(keys(listing)), 'the change-ordered feed holds the same rows');
      assert.ok(byChange.every((r, i) => i === 0 || (byChange[i - 1]?.timeUs ?? 0) <= r.timeUs), 'in change order');
    }
  });

  it('an invisible registry never moves a caller\'s row times', () => {
    const m = model();
    const hidden = listRows(m, without(0), agg, { includeDeleted: true, updatedSinceUs: us(25) }, 100, 0).rows;
    assert.deepEqual(keys(hidden), ['io.x/gone@0.9.0', 'io.x/gone@1.0.0', 'io.x/z@1.0.0'], 'internal\'s publish at 50 is invisible here');
  });

  it('forget tombstones served as changed before the cutoff, from listing and feed alike', () => {
    const m = model();
    const cut = us(45);
    assert.deepEqual(keys(listRows(m, without(0), agg, { includeDeleted: true }, 100, cut).rows).filter((k) => k.startsWith('io.x/gone')), ['io.x/gone@0.9.0']);
    assert.deepEqual(keys(listRows(m, everyone, agg, { includeDeleted: true }, 100, cut).rows).filter((k) => k.startsWith('io.x/a')), ['io.x/a@1.0.0', 'io.x/a@2.0.0', 'io.x/a@3.0.0'], 'displaced at 50: kept');
  });

  it('answer versions newest publishedAt first and latest from the owner', () => {
    const m = model();
    assert.deepEqual(keys(listVersions(m, without(0), agg, 'io.x/a', false, 0) ?? []), ['io.x/a@3.0.0', 'io.x/a@2.0.0', 'io.x/a@1.0.0']);
    assert.equal(findVersion(m, everyone, agg, 'io.x/a', 'latest', false, 0)?.registry, 0);
    assert.equal(findVersion(m, everyone, agg, 'io.x/a', '3.0.0', false, 0), undefined, 'displaced: not served without include_deleted');
    assert.equal(findVersion(m, everyone, agg, 'io.x/a', '3.0.0', true, 0)?.displacedBy, 0);
  });

  it('apply changes incrementally as a reload would', () => {
    const m = model();
    m.apply([
      { registry: 0, name: 'io.x/a', stored: undefined },
      { registry: 1, name: 'io.x/new', stored: stored(60, rec('1.0.0', 60, { isLatest: true })) },
    ]);
    assert.deepEqual(m.namesOf(), ['io.x/a', 'io.x/gone', 'io.x/new', 'io.x/z']);
    assert.deepEqual(m.holding('io.x/a').registries, [2]);
    assert.equal(m.versionCount(2), 5);
  });
});
