import type { ServerStatus, StoredName, VersionRecord } from './types.js';

/**
 * One version as stored (compact form): one-letter keys, and what equals its usual value left out
 * (the status when `active`, `isLatest` when false, `statusChangedAt` when it equals
 * `publishedAt`, `syncedAt` when it equals `updatedAt`, `updatedAt` and the search text when they equal
 * the name's, `upstreamUpdatedAt` as 1 when it equals `publishedAt`). Redis holds one of these per version of every registry, so each byte counts ×330k.
 */
interface CompactRecord {
  /** version */
  v: string;
  /** status, when not `active` */
  s?: ServerStatus;
  /** statusMessage */
  m?: string;
  /** statusChangedAt, when not equal to `publishedAt` */
  c?: string;
  /** publishedAt */
  p: string;
  /** updatedAt, when not equal to the name's {@link CompactName.w} */
  u?: string;
  /** isLatest, when true */
  l?: 1;
  /** syncedAt, when not equal to `updatedAt` */
  y?: string;
  /** content hash of the body */
  h: string;
  /** search text, when not equal to the name's {@link CompactName.t} */
  x?: string;
  /** upstreamUpdatedAt (1: equal to `publishedAt`) */
  o?: string | 1;
  /** gone */
  g?: 1;
}

/** A stored name (compact form): `since`, the name's search text, and its versions. */
interface CompactName {
  s: string;
  /** The search text of the latest version (else the first): most versions share it. */
  t: string;
  /** The `updatedAt` most versions share (the latest version's, else the first one's): a write stamps every version it changes with one commit time. */
  w: string;
  r: CompactRecord[];
}

/** The record whose text and change time most records of a name share: the latest, else the first. */
function typical(records: readonly VersionRecord[]): VersionRecord | undefined {
  for (const r of records) if (r.isLatest) return r;
  return records[0];
}

/**
 * Serialises a stored name to its compact JSON (deterministic: the writer's compare-and-set
 * compares raw strings). Placeholders such as the commit time pass through as the strings they are.
 */
export function encodeStoredName(stored: StoredName): string {
  const first = typical(stored.v);
  const t = first?.text ?? '';
  const w = first?.updatedAt ?? '';
  const r = stored.v.map((rec): CompactRecord => {
    const c: CompactRecord = { v: rec.version, p: rec.publishedAt, h: rec.hash };
    if (rec.updatedAt !== w) c.u = rec.updatedAt;
    if (rec.status !== 'active') c.s = rec.status;
    if (rec.statusMessage !== undefined) c.m = rec.statusMessage;
    if (rec.statusChangedAt !== rec.publishedAt) c.c = rec.statusChangedAt;
    if (rec.isLatest) c.l = 1;
    if (rec.syncedAt !== rec.updatedAt) c.y = rec.syncedAt;
    if (rec.text !== t) c.x = rec.text;
    if (rec.upstreamUpdatedAt !== undefined) c.o = rec.upstreamUpdatedAt === rec.publishedAt ? 1 : rec.upstreamUpdatedAt;
    if (rec.gone) c.g = 1;
    return c;
  });
  return JSON.stringify({ s: stored.since, t, w, r } satisfies CompactName);
}

function expand(c: CompactRecord, t: string, w: string): VersionRecord {
  const u = c.u ?? w;
  const rec: VersionRecord = {
    version: c.v,
    status: c.s ?? 'active',
    statusChangedAt: c.c ?? c.p,
    publishedAt: c.p,
    updatedAt: u,
    isLatest: c.l === 1,
    syncedAt: c.y ?? u,
    hash: c.h,
    text: c.x ?? t,
  };
  if (c.m !== undefined) rec.statusMessage = c.m;
  if (c.o !== undefined) rec.upstreamUpdatedAt = c.o === 1 ? c.p : c.o;
  if (c.g === 1) rec.gone = true;
  return rec;
}

/**
 * Parses a stored name in any format ever written: the compact form, the previous `{since, v}`
 * form with full records, and the first bare array of records (held since an unknown time).
 */
export function decodeStoredName(raw: string): StoredName {
  const parsed = JSON.parse(raw) as CompactName | StoredName | VersionRecord[];
  if (Array.isArray(parsed)) return { since: '', v: parsed };
  if ('r' in parsed) return { since: parsed.s, v: parsed.r.map((c) => expand(c, parsed.t, parsed.w)) };
  return parsed;
}
