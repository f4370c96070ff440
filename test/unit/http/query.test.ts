import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError, ValidationError } from '../../../src/errors.js';
import { parseBool, parseListQuery, parseTimestamp } from '../../../src/http/query.js';

const LIMITS = { defaultPageSize: 30, maxPageSize: 100 };
const list = (query: Record<string, unknown>) => parseListQuery({ query } as never, LIMITS);

/** Asserts that `fn` throws `type` with the given field-level error (when given). */
function throwsWith(fn: () => unknown, type: typeof InputError | typeof ValidationError, detail?: { message: string; location: string }): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof type, `expected ${type.name}, got ${String(err)}`);
    if (detail) assert.deepEqual({ message: err.errors?.[0]?.message, location: err.errors?.[0]?.location }, detail);
    return true;
  });
}

describe('parseBool', () => {
  it('accepts Go strconv.ParseBool spellings and falls back when absent or empty', () => {
    for (const v of ['true', '1', 't', 'T', 'TRUE', 'True']) assert.equal(parseBool({ f: v }, 'f', false), true, v);
    for (const v of ['false', '0', 'f', 'F', 'FALSE', 'False']) assert.equal(parseBool({ f: v }, 'f', true), false, v);
    assert.equal(parseBool({}, 'f', true), true);
    assert.equal(parseBool({ f: '' }, 'f', false), false);
  });

  it('rejects anything else, and a repeated parameter, with a 422', () => {
    throwsWith(() => parseBool({ f: 'yes' }, 'f', false), ValidationError, { message: 'expected boolean', location: 'query.f' });
    throwsWith(() => parseBool({ f: ['true', 'false'] }, 'f', false), ValidationError, { message: 'expected a single value', location: 'query.f' });
  });
});

describe('parseTimestamp', () => {
  it('parses RFC 3339 to microseconds, keeping sub-millisecond digits and offsets', () => {
    assert.equal(parseTimestamp('2025-08-07T13:15:04Z'), Date.UTC(2025, 7, 7, 13, 15, 4) * 1000);
    assert.equal(parseTimestamp('2025-08-07T13:15:04.280123Z'), Date.UTC(2025, 7, 7, 13, 15, 4, 280) * 1000 + 123);
    assert.equal(parseTimestamp('2025-08-07T15:15:04+02:00'), parseTimestamp('2025-08-07T13:15:04Z'));
  });

  it('rejects other formats with the official registry\'s 400 wording', () => {
    for (const raw of ['2025-08-07', '1754572504', '2025-08-07T13:15:04', 'yesterday', '2025-13-45T99:99:99Z']) {
      assert.throws(() => parseTimestamp(raw), (err: unknown) => err instanceof InputError && /^Invalid updated_since format: expected RFC3339/.test(err.message), raw);
    }
  });
});

describe('parseListQuery', () => {
  it('applies defaults and ignores unknown parameters', () => {
    assert.deepEqual(list({ unknown: 'x' }), { limit: 30, includeDeleted: false });
  });

  it('takes limit 1..maxPageSize and rejects the rest with the exact problem', () => {
    assert.equal(list({ limit: '1' }).limit, 1);
    assert.equal(list({ limit: '100' }).limit, 100);
    assert.equal(list({ limit: '+7' }).limit, 7);
    assert.equal(list({ limit: '' }).limit, 30);
    throwsWith(() => list({ limit: '0' }), ValidationError, { message: 'expected number >= 1', location: 'query.limit' });
    throwsWith(() => list({ limit: '101' }), ValidationError, { message: 'expected number <= 100', location: 'query.limit' });
    throwsWith(() => list({ limit: '1.5' }), ValidationError, { message: 'expected integer', location: 'query.limit' });
    throwsWith(() => list({ limit: '1e2' }), ValidationError, { message: 'expected integer', location: 'query.limit' });
    throwsWith(() => list({ limit: ['1', '2'] }), ValidationError, { message: 'expected a single value', location: 'query.limit' });
  });

  it('updated_since forces include_deleted, and an explicit false with it is a 400', () => {
    const p = list({ updated_since: '2025-01-01T00:00:00Z' });
    assert.equal(p.includeDeleted, true);
    assert.equal(p.updatedSinceUs, Date.UTC(2025, 0, 1) * 1000);
    assert.equal(list({ updated_since: '2025-01-01T00:00:00Z', include_deleted: 'true' }).includeDeleted, true);
    assert.throws(() => list({ updated_since: '2025-01-01T00:00:00Z', include_deleted: 'false' }), (err: unknown) => err instanceof InputError && /include_deleted=false/.test(err.message));
    throwsWith(() => list({ updated_since: 'soon' }), InputError, { message: 'expected RFC 3339 date-time', location: 'query.updated_since' });
  });

  it('lower-cases search and bounds its length; passes cursor and version through', () => {
    assert.deepEqual(list({ search: 'WeaTher', cursor: 'abc', version: 'latest' }), { limit: 30, includeDeleted: false, search: 'weather', cursor: 'abc', version: 'latest' });
    assert.equal(list({ search: 'x'.repeat(256) }).search?.length, 256);
    throwsWith(() => list({ search: 'x'.repeat(257) }), ValidationError, { message: 'expected length <= 256', location: 'query.search' });
    assert.deepEqual(list({ search: '', version: '', cursor: '' }), { limit: 30, includeDeleted: false });
  });
});
