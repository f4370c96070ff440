import { createHash } from 'node:crypto';
import { NOW } from './clock.js';
import type { IncomingEntry, ServerJson, ServerStatus, VersionRecord } from './types.js';
import { pickLatest } from './versionOrder.js';

/** How incoming entries combine with what the index holds for a name. */
export type MergeMode =
  /** The incoming set is the complete set of versions for the name (file reload). */
  | 'replace'
  /** The incoming entries update or add versions; others stay (incremental sync, publish). */
  | 'upsert';

/** The outcome of merging one name: what to store and what changed. */
export interface NameMerge {
  /** Final records for the name (live and removed), sorted by version (plain string order). */
  records: VersionRecord[];
  /** Bodies to write, by version (only versions whose body changed). */
  bodies: Map<string, string>;
  /** Versions whose bodies must be removed (their records are gone for good). */
  removed: string[];
  /** True when anything a reader could see changed. */
  changed: boolean;
  /** Incoming versions left out because the name already had `maxVersions` live versions. */
  overCap?: number;
}

/** The message a removed version is served with. */
export const REMOVED_MESSAGE = 'removed from this registry';

/** Stable content hash of a server.json body. */
export function hashBody(json: string): string {
  return createHash('sha1').update(json).digest('base64url').slice(0, 20);
}

/** The lower-cased search text (title + description) of a server.json. */
export function searchText(server: ServerJson): string {
  const title = typeof server.title === 'string' ? server.title : '';
  const description = typeof server.description === 'string' ? server.description : '';
  return `${title}\n${description}`.toLowerCase();
}

function statusOf(entry: IncomingEntry): ServerStatus {
  const s = entry.official?.status ?? (entry.server as { status?: unknown }).status;
  return s === 'deprecated' || s === 'deleted' ? s : 'active';
}

/** True for a version still offered by its registry (not {@link VersionRecord.gone}). */
export function isLive(r: VersionRecord): boolean {
  return r.gone !== true;
}

/** A record as it is kept once its version was removed from the registry at `now`. */
export function removedRecord(r: VersionRecord, now: string): VersionRecord {
  return { ...r, status: 'deleted', statusMessage: REMOVED_MESSAGE, statusChangedAt: now, updatedAt: now, syncedAt: now, isLatest: false, gone: true };
}

function sortByVersion(records: VersionRecord[]): VersionRecord[] {
  return records.sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
}

/**
 * Merges incoming entries for one name into its existing records (DESIGN §3): keeps upstream
 * `publishedAt`/status metadata, recomputes isLatest over the live versions, and moves the
 * gateway's own `updatedAt` only for records whose body, status, status message or isLatest
 * actually changed. Versions a `replace` no longer lists are kept as removed tombstones.
 *
 * @param existing current records for the name (any order; removed ones included)
 * @param incoming entries from the source, all for this name
 * @param mode `replace` removes live versions not in `incoming`; `upsert` keeps them
 * @param now the change time to stamp (default: the commit-time placeholder {@link NOW})
 * @param maxVersions at most this many live versions; further new ones are left out (`overCap`)
 */
export function mergeName(existing: readonly VersionRecord[], incoming: readonly IncomingEntry[], mode: MergeMode, now: string = NOW, maxVersions = Infinity): NameMerge {
  const old = new Map(existing.map((r) => [r.version, r]));
  const next = new Map<string, VersionRecord>();
  const bodies = new Map<string, string>();
  for (const r of existing) next.set(r.version, { ...r });
  const incomingVersions = new Set<string>();
  let live = existing.filter(isLive).length;
  let overCap = 0;

  for (const entry of incoming) {
    const version = entry.server.version;
    const stored = old.get(version);
    // A removed version that comes back is a new arrival (its tombstone is not its history).
    const prev = stored && isLive(stored) ? stored : undefined;
    if (!prev && !incomingVersions.has(version)) {
      if (live >= maxVersions) {
        overCap++;
        continue;
      }
      live++;
    }
    incomingVersions.add(version);
    const body = JSON.stringify(entry.server);
    const hash = hashBody(body);
    const status = statusOf(entry);
    const publishedAt = entry.official?.publishedAt ?? prev?.publishedAt ?? stored?.publishedAt ?? now;
    const statusChanged = prev !== undefined && prev.status !== status;
    const record: VersionRecord = {
      version,
      status,
      statusChangedAt: entry.official?.statusChangedAt ?? (statusChanged ? now : prev?.statusChangedAt ?? publishedAt),
      publishedAt,
      updatedAt: prev?.updatedAt ?? now,
      isLatest: false,
      syncedAt: prev?.syncedAt ?? now,
      hash,
      text: searchText(entry.server),
    };
    const message = entry.official?.statusMessage;
    if (message !== undefined && message !== '' && message !== NOW && status !== 'active') record.statusMessage = message;
    if (entry.official?.updatedAt !== undefined) record.upstreamUpdatedAt = entry.official.updatedAt;
    if (stored === undefined || stored.hash !== hash) bodies.set(version, body);
    next.set(version, record);
  }
  if (mode === 'replace') {
    for (const r of existing) if (isLive(r) && !incomingVersions.has(r.version)) next.set(r.version, removedRecord(r, now));
  }

  const records = [...next.values()];
  flagLatest(records);
  let changed = false;
  for (const r of records) {
    const prev = old.get(r.version);
    if (prev === undefined || differs(prev, r)) {
      if (isLive(r)) {
        r.updatedAt = now;
        r.syncedAt = now;
      }
      changed = true;
    }
  }
  const merge: NameMerge = { records: sortByVersion(records), bodies, removed: [], changed };
  if (overCap > 0) merge.overCap = overCap;
  return merge;
}

/**
 * Anything served for the entry counts (syncedAt alone does not), so downstream `updated_since`
 * pollers converge on exactly what a full listing shows.
 */
function differs(a: VersionRecord, b: VersionRecord): boolean {
  return (
    a.hash !== b.hash ||
    a.status !== b.status ||
    a.statusMessage !== b.statusMessage ||
    a.statusChangedAt !== b.statusChangedAt ||
    a.publishedAt !== b.publishedAt ||
    a.isLatest !== b.isLatest ||
    a.upstreamUpdatedAt !== b.upstreamUpdatedAt ||
    a.gone !== b.gone
  );
}

/** Sets isLatest on exactly the latest live version (removed versions never are). */
function flagLatest(records: VersionRecord[]): void {
  const latest = pickLatest(records.filter(isLive));
  for (const r of records) r.isLatest = r === latest;
}

/**
 * Recomputes isLatest over `records` (mutated in place); a record whose flag flips gets the new
 * change time, so `updated_since` pollers see the flip.
 */
export function reflagLatest(records: VersionRecord[], now: string = NOW): void {
  const latest = pickLatest(records.filter(isLive));
  for (const r of records) {
    const isLatest = r === latest;
    if (r.isLatest !== isLatest) {
      r.isLatest = isLatest;
      r.updatedAt = now;
      r.syncedAt = now;
    }
  }
}

/** Removes `versions` from the registry: each live one becomes a removed tombstone, isLatest recomputed. */
export function dropVersions(existing: readonly VersionRecord[], versions: ReadonlySet<string>, now: string = NOW): NameMerge {
  let changed = false;
  const records = existing.map((r) => {
    if (!versions.has(r.version) || !isLive(r)) return { ...r };
    changed = true;
    return removedRecord(r, now);
  });
  if (changed) reflagLatest(records, now);
  return { records, bodies: new Map(), removed: [], changed };
}

/**
 * Forgets removed tombstones older than `cutoffUs` (µs since the epoch): they leave listings and
 * feeds alike (DESIGN §3 retention). Mutates nothing; returns the versions to forget.
 */
export function expiredVersions(records: readonly VersionRecord[], cutoffUs: number, parse: (iso: string) => number): string[] {
  return records.filter((r) => !isLive(r) && parse(r.updatedAt) < cutoffUs).map((r) => r.version);
}
