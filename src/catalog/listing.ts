import type { CallerView } from '../access/AccessPolicy.js';
import { DELETED, LATEST, type CatalogIndex, type IndexedName } from './CatalogIndex.js';
import type { CursorPosition } from './cursor.js';
import { lowerBound } from './sortedStrings.js';

/** Which catalogue a query reads: the aggregated one, or one registry's own. */
export type Scope = { kind: 'aggregate' } | { kind: 'registry'; index: number };

/** Filters of `GET /v0.1/servers`, already validated. */
export interface ListFilter {
  /** Lower-cased substring to find in the name, title or description. */
  search?: string;
  /** Strictly-greater lower bound on the gateway's `updatedAt`, in ms. */
  updatedSinceMs?: number;
  /** `latest` or an exact version. */
  version?: string;
  includeDeleted: boolean;
}

/** One row of a listing. */
export interface Row {
  registry: number;
  name: string;
  version: string;
  /**
   * Set on a synthetic tombstone: a version another registry serves no longer, because the name's
   * aggregated owner changed at this time (ms). Rendered as `deleted` with this change time.
   */
  tombstoneMs?: number;
}

/** A page of rows and, when more exist, the position to continue after. */
export interface Page {
  rows: Row[];
  next?: CursorPosition;
}

/**
 * Resolves which registry serves `name` for this caller (DESIGN §3 aggregation): in the aggregated
 * scope the highest-priority registry the caller may see that holds the name (any version, deleted
 * ones included, so an internal deletion never falls through to a public upstream); in a registry
 * scope that registry, if it holds the name and the caller may see it.
 */
export function resolveOwner(index: CatalogIndex, view: CallerView, scope: Scope, name: string): number | undefined {
  if (scope.kind === 'registry') {
    const reg = index.registry(scope.index);
    return reg.byName.has(name) && view.canSee(scope.index, name) ? scope.index : undefined;
  }
  const visible = view.registries;
  for (const i of index.holdersOf(name)) {
    if (visible.includes(i) && view.canSee(i, name)) return i;
  }
  return undefined;
}

/** The other registries (visible to the caller) that also hold `name`. */
export function alsoIn(index: CatalogIndex, view: CallerView, owner: number, name: string): number[] {
  return index.holdersOf(name).filter((i) => i !== owner && view.registries.includes(i) && view.canSee(i, name));
}

function rowMatches(e: IndexedName, k: number, f: ListFilter): boolean {
  const flags = e.flags[k] as number;
  if (!f.includeDeleted && flags & DELETED) return false;
  if (f.version !== undefined && (f.version === 'latest' ? !(flags & LATEST) : e.versions[k] !== f.version)) return false;
  if (f.updatedSinceMs !== undefined && !((e.times[2 * k] as number) > f.updatedSinceMs)) return false;
  return true;
}

/** `search` matches the name, or the title/description of the name's latest version. */
function nameMatches(entry: IndexedName, search: string | undefined): boolean {
  return search === undefined || entry.text.includes(search);
}

/**
 * Lists rows ordered by name then version (plain string order), strictly after `after`, applying
 * the caller's visibility while scanning the index — so a page is full whenever enough visible rows
 * exist and `next` is set only when at least one more row follows.
 */
export function listRows(index: CatalogIndex, view: CallerView, scope: Scope, filter: ListFilter, limit: number, after?: CursorPosition): Page {
  const names = scope.kind === 'aggregate' ? index.names : index.registry(scope.index).names;
  const rows: Row[] = [];
  let i = after ? lowerBound(names, after.name) : 0;
  for (; i < names.length; i++) {
    const name = names[i] as string;
    // Cheap rejections first, from plain arrays: no holder's text matches the search, or nothing
    // about the name changed since `updated_since` — no map lookup, no visibility evaluation.
    if (scope.kind === 'aggregate') {
      if (filter.search !== undefined && !index.unionTextAt(i).includes(filter.search)) continue;
      if (filter.updatedSinceMs !== undefined && !(index.unionChangeAt(i) > filter.updatedSinceMs)) continue;
    } else if (filter.search !== undefined && !(index.registry(scope.index).byName.get(name)?.text.includes(filter.search) ?? false)) continue;
    const owner = resolveOwner(index, view, scope, name);
    if (owner === undefined) continue;
    const entry = index.registry(owner).byName.get(name);
    if (!entry || !nameMatches(entry, filter.search)) continue;
    const skipUpTo = after && after.name === name ? after.version : undefined;
    const take = (row: Row): boolean => {
      if (skipUpTo !== undefined && row.version <= skipUpTo) return true;
      if (rows.length === limit) return false;
      rows.push(row);
      return true;
    };
    let more = true;
    if (ownerChangedSince(index, scope, filter, name)) {
      for (const row of changeFeedRows(index, view, owner, entry, name, filter)) if (!(more = take(row))) break;
    } else {
      for (let k = 0; k < entry.versions.length && more; k++) {
        if (rowMatches(entry, k, filter)) more = take({ registry: owner, name, version: entry.versions[k] as string });
      }
    }
    if (!more) {
      const last = rows[rows.length - 1] as Row;
      return { rows, next: { name: last.name, version: last.version } };
    }
  }
  return { rows };
}

function ownerChangedSince(index: CatalogIndex, scope: Scope, filter: ListFilter, name: string): boolean {
  return scope.kind === 'aggregate' && filter.updatedSinceMs !== undefined && index.ownershipChangedMs(name) > filter.updatedSinceMs;
}

/**
 * `updated_since` rows of a name whose aggregated owner may have changed after `since`: every
 * version of the current owner (a downstream may have held another registry's copy), plus a
 * tombstone for each version a lower- or higher-priority registry the caller sees still holds but
 * the owner does not — so a downstream that synced the previous owner's versions drops them.
 */
function changeFeedRows(index: CatalogIndex, view: CallerView, owner: number, entry: IndexedName, name: string, filter: ListFilter): Row[] {
  const changedMs = index.ownershipChangedMs(name);
  const sinceless: ListFilter = { ...filter };
  delete sinceless.updatedSinceMs;
  const rows: Row[] = [];
  const seen = new Set(entry.versions);
  entry.versions.forEach((version, k) => {
    if (rowMatches(entry, k, sinceless)) rows.push({ registry: owner, name, version });
  });
  if (filter.version !== 'latest') {
    for (const h of alsoIn(index, view, owner, name)) {
      for (const version of index.registry(h).byName.get(name)?.versions ?? []) {
        if (seen.has(version) || (filter.version !== undefined && version !== filter.version)) continue;
        seen.add(version);
        rows.push({ registry: h, name, version, tombstoneMs: changedMs });
      }
    }
  }
  return rows.sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
}

/**
 * All versions of `name` visible to the caller in `scope`, newest `publishedAt` first.
 * Returns undefined when the caller can see no such server (or only deleted versions without
 * `includeDeleted`).
 */
export function listVersions(index: CatalogIndex, view: CallerView, scope: Scope, name: string, includeDeleted: boolean): Row[] | undefined {
  const owner = resolveOwner(index, view, scope, name);
  if (owner === undefined) return undefined;
  const entry = index.registry(owner).byName.get(name);
  if (!entry) return undefined;
  const picked: number[] = [];
  for (let k = 0; k < entry.versions.length; k++) if (includeDeleted || !((entry.flags[k] as number) & DELETED)) picked.push(k);
  if (picked.length === 0) return undefined;
  const published = (k: number) => entry.times[2 * k + 1] as number;
  // Newest publishedAt first; versions are sorted ascending, so a tie puts the higher version first.
  return picked.sort((a, b) => published(b) - published(a) || b - a).map((k) => ({ registry: owner, name, version: entry.versions[k] as string }));
}

/** One version (or `latest`) of `name`, or undefined when not visible. */
export function findVersion(index: CatalogIndex, view: CallerView, scope: Scope, name: string, version: string, includeDeleted: boolean): Row | undefined {
  const owner = resolveOwner(index, view, scope, name);
  if (owner === undefined) return undefined;
  const entry = index.registry(owner).byName.get(name);
  if (!entry) return undefined;
  const k = version === 'latest' ? entry.latest : entry.versions.indexOf(version);
  if (k < 0 || (!includeDeleted && (entry.flags[k] as number) & DELETED)) return undefined;
  return { registry: owner, name, version: entry.versions[k] as string };
}
