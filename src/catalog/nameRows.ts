import type { ReadModel } from './ReadModel.js';
import type { Scope, Visibility } from './visibility.js';

/** One row a caller sees: one version of one name, from one registry. */
export interface Row {
  registry: number;
  name: string;
  version: string;
  /** Index of the version in the registry's record of the name. */
  k: number;
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
export function resolveName(model: ReadModel, view: Visibility, scope: Scope, name: string, cutoffUs: number, withTombstones = true): NameView | undefined {
  if (scope.kind === 'registry') {
    const e = model.entry(scope.index, name);
    if (!e || !view.registries.includes(scope.index) || !view.canSee(scope.index, name)) return undefined;
    const rows: Row[] = [];
    for (let k = 0; k < e.size; k++) {
      const t = e.updatedUs(k);
      if (e.isGone(k) && t < cutoffUs) continue;
      rows.push({ registry: scope.index, name, version: e.versions[k] as string, k, timeUs: t, bumped: false, deleted: e.isDeleted(k), latest: e.isLatest(k) });
    }
    return rows.length > 0 ? { ...(e.live > 0 ? { owner: scope.index } : {}), text: e.text, rows } : undefined;
  }

  const visible: number[] = [];
  for (const i of model.holdersOf(name)) if (view.registries.includes(i) && view.canSee(i, name)) visible.push(i);
  if (visible.length === 0) return undefined;
  let owner: number | undefined;
  for (const i of visible) {
    if (model.entry(i, name)?.live) {
      owner = i;
      break;
    }
  }
  // When the caller's current owner (or, with none, the absence of one) began.
  let start = owner === undefined ? 0 : model.entry(owner, name)?.since ?? 0;
  for (const i of visible) {
    if (owner !== undefined && i >= owner) break;
    start = Math.max(start, model.entry(i, name)?.lostAt ?? 0);
  }
  const order = owner === undefined ? visible : withTombstones ? [owner, ...visible.filter((i) => i !== owner)] : [owner];
  // Only several registries can repeat a version (the first one's wins).
  const seen = order.length > 1 ? new Set<string>() : undefined;
  const rows: Row[] = [];
  for (const i of order) {
    const e = model.entry(i, name);
    if (!e) continue;
    const displaced = owner !== undefined && i !== owner;
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
      const row: Row = { registry: i, name, version, k, timeUs, bumped: timeUs !== own, deleted: displaced || e.isDeleted(k), latest: !displaced && e.isLatest(k) };
      if (displaced) row.displacedBy = owner;
      rows.push(row);
    }
  }
  if (rows.length === 0) return undefined;
  if (order.length > 1) rows.sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
  const primary = model.entry(order[0] as number, name);
  return { ...(owner !== undefined ? { owner } : {}), text: primary?.text ?? '', rows };
}
