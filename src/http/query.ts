import type { ListParams } from '../catalog/CatalogService.js';
import { parseMicros } from '../catalog/clock.js';
import { InputError, ValidationError } from '../errors.js';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
const TRUE = new Set(['true', '1', 't', 'T', 'TRUE', 'True']);
const FALSE = new Set(['false', '0', 'f', 'F', 'FALSE', 'False']);
const MAX_SEARCH_LENGTH = 256;

type Query = Record<string, unknown>;

function single(query: Query, key: string): string | undefined {
  const value = query[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw new ValidationError(`validation failed: query parameter ${key} must be given once`, {
      errors: [{ message: 'expected a single value', location: `query.${key}`, value }],
    });
  }
  return value;
}

/**
 * Parses a boolean query parameter (Go `strconv.ParseBool` spellings, as the official registry).
 * @throws ValidationError (422) for anything else.
 */
export function parseBool(query: Query, key: string, fallback: boolean): boolean {
  const raw = single(query, key);
  if (raw === undefined || raw === '') return fallback;
  if (TRUE.has(raw)) return true;
  if (FALSE.has(raw)) return false;
  throw new ValidationError(`validation failed: ${key} must be true or false`, {
    errors: [{ message: 'expected boolean', location: `query.${key}`, value: raw }],
  });
}

/**
 * Parses an RFC 3339 timestamp to microseconds since the epoch (the catalogue clock's unit).
 * @throws InputError (400) with the official registry's wording.
 */
export function parseTimestamp(raw: string): number {
  const us = RFC3339.test(raw) ? parseMicros(raw) : Number.NaN;
  if (Number.isNaN(us)) {
    throw new InputError('Invalid updated_since format: expected RFC3339 timestamp (e.g., 2025-08-07T13:15:04.280Z)', {
      errors: [{ message: 'expected RFC 3339 date-time', location: 'query.updated_since', value: raw }],
    });
  }
  return us;
}

/**
 * Validates the query of `GET /v0.1/servers` (DESIGN §2): `limit` 1..maxPageSize (422 otherwise),
 * `updated_since` RFC 3339 (400 otherwise; it forces `include_deleted`, and an explicit
 * `include_deleted=false` with it is a 400), `search`, `version`, `cursor`. Unknown parameters are
 * ignored.
 */
export function parseListQuery(req: { query: unknown }, limits: { defaultPageSize: number; maxPageSize: number }): ListParams {
  const query = req.query as Query;
  const limitRaw = single(query, 'limit');
  let limit = limits.defaultPageSize;
  if (limitRaw !== undefined && limitRaw !== '') {
    const n = /^[+-]?\d+$/.test(limitRaw) ? Number(limitRaw) : Number.NaN;
    const problem = Number.isNaN(n)
      ? 'expected integer'
      : n < 1
        ? 'expected number >= 1'
        : n > limits.maxPageSize
          ? `expected number <= ${limits.maxPageSize}`
          : undefined;
    if (problem) {
      throw new ValidationError(`validation failed: limit must be an integer from 1 to ${limits.maxPageSize}`, {
        errors: [{ message: problem, location: 'query.limit', value: limitRaw }],
      });
    }
    limit = n;
  }

  const params: ListParams = { limit, includeDeleted: parseBool(query, 'include_deleted', false) };
  const cursor = single(query, 'cursor');
  if (cursor) params.cursor = cursor;

  const updatedSince = single(query, 'updated_since');
  if (updatedSince !== undefined && updatedSince !== '') {
    params.updatedSinceUs = parseTimestamp(updatedSince);
    const explicit = single(query, 'include_deleted');
    if (explicit !== undefined && explicit !== '' && !params.includeDeleted) {
      throw new InputError('Cannot set include_deleted=false when using updated_since (incremental sync requires deleted servers)');
    }
    params.includeDeleted = true;
  }

  const search = single(query, 'search');
  if (search !== undefined && search !== '') {
    if (search.length > MAX_SEARCH_LENGTH) {
      throw new ValidationError(`validation failed: search is longer than ${MAX_SEARCH_LENGTH} characters`, {
        errors: [{ message: `expected length <= ${MAX_SEARCH_LENGTH}`, location: 'query.search', value: search.slice(0, 32) }],
      });
    }
    params.search = search.toLowerCase();
  }
  const version = single(query, 'version');
  if (version !== undefined && version !== '') params.version = version;
  return params;
}
