import { createHash } from 'node:crypto';
import type { IncomingEntry, ServerJson, ServerStatus, VersionRecord } from './types.js';
import { pickLatest } from './versionOrder.js';

/** How incoming entries combine with what the index holds for a name. */
export type MergeMode =
  /** The incoming set is the complete set of versions for the name (file reload, full-sync page). */
  | 'replace'
  /** The incoming entries update or add versions; others stay (incremental sync, publish). */
  | 'upsert';

/** The outcome of merging one name: what to store and what changed. */
export interface NameMerge {
  /** Final records for the name, sorted by version (plain string order); empty when the name goes. */
  records: VersionRecord[];
  /** Bodies to write, by version (only versions whose body changed). */
  bodies: Map<string, string>;
  /** Versions whose bodies must be removed. */
  removed: string[];
  /** True when anything a reader could see changed. */
  changed: boolean;
}

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

/**
 * Merges incoming entries for one name into its existing records (DESIGN §3): keeps upstream
 * `publishedAt`/status metadata, recomputes isLatest over the final set, and moves the gateway's own
 * `updatedAt` only for records whose body, status, status message or isLatest actually changed.
 *
 * @param existing current records for the name (any order)
 * @param incoming entries from the source, all for this name
 * @param mode `replace` drops versions not in `incoming`; `upsert` keeps them
 * @param now ISO time used for new change times
 */
export function mergeName(existing: readonly VersionRecord[], incoming: readonly IncomingEntry[], mode: MergeMode, now: string): NameMerge {
  const old = new Map(existing.map((r) => [r.version, r]));
  const next = new Map<string, VersionRecord>();
  const bodies = new Map<string, string>();

  if (mode === 'upsert') for (const r of existing) next.set(r.version, { ...r });

  for (const entry of incoming) {
    const version = entry.server.version;
    const prev = old.get(version);
    const body = JSON.stringify(entry.server);
    const hash = hashBody(body);
    const status = statusOf(entry);
    const publishedAt = entry.official?.publishedAt ?? prev?.publishedAt ?? now;
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
    if (message !== undefined && message !== '' && status !== 'active') record.statusMessage = message;
    if (entry.official?.updatedAt !== undefined) record.upstreamUpdatedAt = entry.official.updatedAt;
    if (prev === undefined || prev.hash !== hash) bodies.set(version, body);
    next.set(version, record);
  }

  const records = [...next.values()];
  const latest = pickLatest(records);
  for (const r of records) r.isLatest = r === latest;

  let changed = false;
  for (const r of records) {
    const prev = old.get(r.version);
    // Anything served for the entry counts (syncedAt alone does not), so downstream
    // `updated_since` pollers converge on exactly what a full listing shows.
    const differs =
      prev === undefined ||
      prev.hash !== r.hash ||
      prev.status !== r.status ||
      prev.statusMessage !== r.statusMessage ||
      prev.statusChangedAt !== r.statusChangedAt ||
      prev.publishedAt !== r.publishedAt ||
      prev.isLatest !== r.isLatest ||
      prev.upstreamUpdatedAt !== r.upstreamUpdatedAt;
    if (differs) {
      r.updatedAt = now;
      r.syncedAt = now;
      changed = true;
    }
  }
  const removed = existing.filter((r) => !next.has(r.version)).map((r) => r.version);
  if (removed.length > 0) changed = true;
  records.sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
  return { records, bodies, removed, changed };
}

/**
 * Recomputes isLatest over `records` (mutated in place); a record whose flag flips gets the new
 * change time, so `updated_since` pollers see the flip.
 */
export function reflagLatest(records: VersionRecord[], now: string): void {
  const latest = pickLatest(records);
  for (const r of records) {
    const isLatest = r === latest;
    if (r.isLatest !== isLatest) {
      r.isLatest = isLatest;
      r.updatedAt = now;
      r.syncedAt = now;
    }
  }
}

/** Removes `versions` from a name's records, recomputing isLatest. */
export function dropVersions(existing: readonly VersionRecord[], versions: ReadonlySet<string>, now: string): NameMerge {
  const kept = existing.filter((r) => !versions.has(r.version)).map((r) => ({ ...r }));
  reflagLatest(kept, now);
  const removed = existing.filter((r) => versions.has(r.version)).map((r) => r.version);
  return { records: kept, bodies: new Map(), removed, changed: removed.length > 0 };
}
