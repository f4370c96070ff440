import { NOW } from './clock.js';
import { isLive } from './merge.js';
import { decodeStoredName } from './storedNameCodec.js';
import type { StoredName, VersionRecord } from './types.js';

/** The stored value of a name no registry write has touched yet. */
export const EMPTY_NAME: StoredName = Object.freeze({ since: '', v: [] }) as StoredName;

/** Parses a meta-hash value in any stored format (see {@link decodeStoredName}). */
export function parseStoredName(raw: string | null | undefined): StoredName {
  return raw ? decodeStoredName(raw) : EMPTY_NAME;
}

/** Live versions of a stored name (the ones that make the registry hold it). */
export function liveCount(records: readonly VersionRecord[]): number {
  let n = 0;
  for (const r of records) if (isLive(r)) n++;
  return n;
}

/**
 * The value to store after a write: the records, and when the registry started holding the name —
 * now ({@link NOW}) when it had no live version before, '' when it has none left.
 */
export function nextStoredName(before: StoredName, records: VersionRecord[]): StoredName {
  const liveAfter = liveCount(records) > 0;
  const since = !liveAfter ? '' : liveCount(before.v) > 0 ? before.since : NOW;
  return { since, v: records };
}
