import type { IndexedName } from './IndexedName.js';
import type { Holding, ReadModel } from './ReadModel.js';
import type { Scope, Visibility } from './visibility.js';

/** One row a caller sees: one version of one name, from one registry. */
export interface Row {
  registry: number;
  name: string;
  version: string;
  /** Index of the version in the registry's record of the name. */
  k: number;
  /** The registry's record of the name the row was resolved from (its identity changes with every write of the name). */
  record: IndexedName;
  /** The other registries, visible to the caller, that also hold a live version of the name (`alsoIn`). */
  also: readonly number[];
  /** The row's change time as served (`updatedAt`, µs). */
  timeUs: number;
  /** The served time is later than the record's own (ownership moved): render it with `timeUs`. */
  bumped: boolean;
  /** Served as a displaced tombstone: the registry that now serves the name to this caller. */
  displacedBy?: number;
  deleted: boolean;
  latest: boolean;
}

/** Everything one caller sees of one name in one scope. */
export interface NameView {
  /** The registry serving the name (aggregation owner), if any holds a live version. */
  owner?: number;
  /** Search text of the name as this caller sees it. */
  text: string;
  /** Every row, tombstones included, sorted by version (plain string order). */
  rows: Row[];
}

/**
 * Resolves what `view` sees of `name` (DESIGN §3). In a registry scope: that registry's records.
 * Aggregated: the name belongs to the highest-priority registry the caller may see that holds a
 * live version of it (deleted ones included), and every version comes from it. Versions that other
 * visible registries have (or had, until the retention ends) and the owner does not are served as
 * displaced tombstones, so a downstream that held them drops them. Every row's time is at least the
 * time this caller's owner became the owner — computed only from registries the caller can see, so
 * a change the caller cannot see never moves its feed.
 *
 * @param cutoffUs tombstones (removed or displaced versions) served as changed before this are
 *   forgotten, by listing and feed alike
 * @param withTombstones false when the caller will drop every deleted row anyway (a default
 *   listing): displaced versions, all tombstones, are then not resolved at all
 */
export function resolveName(
  model: ReadModel,
  view: Visibility,
  scope: Scope,
  name: string,
  cutoffUs: number,
  withTombstones = true,
  holding: Holding = model.holding(name),
): NameView | undefined {
  if (scope.kind === 'registry') {
    const at = holding.registries.indexOf(scope.index);
    const e = holding.entries[at];
    if (!e || !view.registries.includes(scope.index) || !view.canSee(scope.index, name)) return undefined;
    const also = otherLive(holding, view, name, scope.index);
    const rows: Row[] = [];
    for (let k = 0; k < e.size; k++) {
      const t = e.updatedUs(k);
      if (e.isGone(k) && t < cutoffUs) continue;
      rows.push({ registry: scope.index, name, version: e.versions[k] as string, k, record: e, also, timeUs: t, bumped: false, deleted: e.isDeleted(k), latest: e.isLatest(k) });
    }
    return rows.length > 0 ? { ...(e.live > 0 ? { owner: scope.index } : {}), text: e.text, rows } : undefined;
  }

  // Positions in `holding` of the registries this caller sees the name in, ascending priority.
  const visible: number[] = [];
  holding.registries.forEach((i, j) => {
    if (view.registries.includes(i) && view.canSee(i, name)) visible.push(j);
  });
  if (visible.length === 0) return undefined;
  const entries = holding.entries;
  let owner: number | undefined;
  for (const j of visible) {
    if ((entries[j] as IndexedName).live > 0) {
      owner = j;
      break;
    }
  }
  // When the caller's current owner (or, with none, the absence of one) began.
  let start = owner === undefined ? 0 : (entries[owner] as IndexedName).since;
  for (const j of visible) {
    if (owner !== undefined && j >= owner) break;
    start = Math.max(start, (entries[j] as IndexedName).lostAt);
  }
  const order = owner === undefined ? visible : withTombstones ? [owner, ...visible.filter((j) => j !== owner)] : [owner];
  const live = visible.filter((j) => (entries[j] as IndexedName).live > 0).map((j) => holding.registries[j] as number);
  // Only several registries can repeat a version (the first one's wins).
  const seen = order.length > 1 ? new Set<string>() : undefined;
  const rows: Row[] = [];
  for (const j of order) {
    const e = entries[j] as IndexedName;
    const i = holding.registries[j] as number;
    const also = live.length === 0 || (live.length === 1 && live[0] === i) ? NONE : live.filter((x) => x !== i);
    const displaced = owner !== undefined && j !== owner;
    for (let k = 0; k < e.size; k++) {
      const version = e.versions[k] as string;
      if (seen) {
        if (seen.has(version)) continue;
        seen.add(version);
      }
      const own = e.updatedUs(k);
      const timeUs = Math.max(own, start);
      const tombstone = displaced || e.isGone(k);
      if (tombstone && timeUs < cutoffUs) continue;
      const row: Row = { registry: i, name, version, k, record: e, also, timeUs, bumped: timeUs !== own, deleted: displaced || e.isDeleted(k), latest: !displaced && e.isLatest(k) };
      if (displaced) row.displacedBy = holding.registries[owner as number] as number;
      rows.push(row);
    }
  }
  if (rows.length === 0) return undefined;
  if (order.length > 1) rows.sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
  const primary = entries[order[0] as number];
  return { ...(owner !== undefined ? { owner: holding.registries[owner] as number } : {}), text: primary?.text ?? '', rows };
}

const NONE: readonly number[] = [];

/** The registries other than `registry` that hold a live version of `name` and that `view` sees it in. */
function otherLive(holding: Holding, view: Visibility, name: string, registry: number): readonly number[] {
  if (holding.registries.length === 1) return NONE;
  const out: number[] = [];
  holding.registries.forEach((i, j) => {
    if (i !== registry && (holding.entries[j] as IndexedName).live > 0 && view.registries.includes(i) && view.canSee(i, name)) out.push(i);
  });
  return out;
}
