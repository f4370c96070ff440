import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeName } from '../../../src/catalog/merge.js';
import type { IncomingEntry } from '../../../src/catalog/types.js';
import { server } from '../../helpers/corpus.js';

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-02T00:00:00.000Z';
const entry = (version: string, extra: Record<string, unknown> = {}, official: IncomingEntry['official'] = {}): IncomingEntry => ({
  server: server('io.x/y', version, extra),
  official: { publishedAt: '2025-01-01T00:00:00Z', ...official },
});

describe('mergeName', () => {
  it('stamps new records with the change time and marks exactly one latest', () => {
    const m = mergeName([], [entry('1.0.0'), entry('1.1.0')], 'replace', T0);
    assert.equal(m.changed, true);
    assert.deepEqual(m.records.map((r) => [r.version, r.isLatest, r.updatedAt]), [
      ['1.0.0', false, T0],
      ['1.1.0', true, T0],
    ]);
    assert.equal(m.bodies.size, 2);
  });

  it('leaves updatedAt alone when nothing visible changed', () => {
    const first = mergeName([], [entry('1.0.0')], 'replace', T0);
    const again = mergeName(first.records, [entry('1.0.0')], 'replace', T1);
    assert.equal(again.changed, false);
    assert.equal(again.records[0]?.updatedAt, T0);
    assert.equal(again.bodies.size, 0);
  });

  it('moves updatedAt of the version that loses isLatest (the official registry does not)', () => {
    const first = mergeName([], [entry('1.0.0')], 'replace', T0);
    const next = mergeName(first.records, [entry('2.0.0')], 'upsert', T1);
    const old = next.records.find((r) => r.version === '1.0.0');
    assert.equal(old?.isLatest, false);
    assert.equal(old?.updatedAt, T1);
    assert.equal(next.bodies.has('1.0.0'), false, 'unchanged body is not rewritten');
  });

  it('moves updatedAt on a status change and records statusChangedAt', () => {
    const first = mergeName([], [entry('1.0.0')], 'replace', T0);
    const next = mergeName(first.records, [entry('1.0.0', {}, { status: 'deprecated', statusMessage: 'use 2.x' })], 'replace', T1);
    const r = next.records[0];
    assert.equal(r?.status, 'deprecated');
    assert.equal(r?.statusMessage, 'use 2.x');
    assert.equal(r?.statusChangedAt, T1);
    assert.equal(r?.updatedAt, T1);
  });

  it('replace turns missing versions into removed tombstones; upsert keeps them', () => {
    const first = mergeName([], [entry('1.0.0'), entry('2.0.0')], 'replace', T0);
    const replaced = mergeName(first.records, [entry('1.0.0')], 'replace', T1);
    assert.deepEqual(replaced.removed, [], 'a removed version keeps its body until its tombstone expires');
    assert.deepEqual(
      replaced.records.map((r) => [r.version, r.status, r.gone ?? false, r.isLatest, r.updatedAt]),
      [
        ['1.0.0', 'active', false, true, T1],
        ['2.0.0', 'deleted', true, false, T1],
      ],
    );
    const revived = mergeName(replaced.records, [entry('1.0.0'), entry('2.0.0')], 'replace', '2026-01-03T00:00:00.000Z');
    assert.deepEqual(revived.records.map((r) => [r.version, r.status, r.gone ?? false, r.isLatest]), [
      ['1.0.0', 'active', false, false],
      ['2.0.0', 'active', false, true],
    ]);
    const upserted = mergeName(first.records, [entry('1.0.0')], 'upsert', T1);
    assert.equal(upserted.records.length, 2);
    assert.equal(upserted.changed, false);
  });

  it('leaves out new versions beyond the cap, and counts them', () => {
    const first = mergeName([], [entry('1.0.0'), entry('1.1.0')], 'upsert', T0, 2);
    const next = mergeName(first.records, [entry('1.1.0'), entry('1.2.0'), entry('1.3.0')], 'upsert', T1, 2);
    assert.equal(next.overCap, 2);
    assert.deepEqual(next.records.map((r) => r.version), ['1.0.0', '1.1.0']);
  });

  it('a body change is a visible change', () => {
    const first = mergeName([], [entry('1.0.0')], 'replace', T0);
    const next = mergeName(first.records, [entry('1.0.0', { description: 'new words' })], 'replace', T1);
    assert.equal(next.changed, true);
    assert.equal(next.records[0]?.updatedAt, T1);
    assert.equal(next.records[0]?.text.includes('new words'), true);
  });
});
