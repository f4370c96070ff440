import { resolveName, type Row } from './nameRows.js';
import type { ReadModel } from './ReadModel.js';
import type { Scope, Visibility } from './visibility.js';

/** A position in a caller's change feed: rows are ordered by (served time, name, version). */
export interface FeedKey {
  timeUs: number;
  name: string;
  version: string;
}

/** Orders two feed keys. */
export function compareKeys(a: FeedKey, b: FeedKey): number {
  if (a.timeUs !== b.timeUs) return a.timeUs < b.timeUs ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.version === b.version ? 0 : a.version < b.version ? -1 : 1;
}

/**
 * The next `limit` rows of a caller's feed after `after`, in key order: exactly the rows of the
 * `updated_since` listing (same resolution, same visibility), ordered by change instead of by name.
 *
 * @param candidates names that may hold such rows (every row's time is the commit time of a write
 *   to its name, so the names written after `after.timeUs` suffice), or undefined to consider every
 *   name whose latest time is later (a slower full scan, for positions older than the change log)
 */
export function feedRows(model: ReadModel, view: Visibility, scope: Scope, after: FeedKey, limit: number, cutoffUs: number, candidates?: Iterable<string>): Row[] {
  const registry = scope.kind === 'registry' ? scope.index : undefined;
  const best: Row[] = [];
  const consider = (name: string) => {
    const seen = resolveName(model, view, scope, name, cutoffUs);
    if (!seen) return;
    for (const row of seen.rows) {
      if (compareKeys(row, after) <= 0) continue;
      if (best.length === limit && compareKeys(row, best[limit - 1] as Row) >= 0) continue;
      insertSorted(best, row, limit);
    }
  };
  if (candidates) {
    for (const name of candidates) consider(name);
    return best;
  }
  const names = model.namesOf(registry);
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    if (registry === undefined ? model.unionChangeAt(i) > after.timeUs : (model.entry(registry, name)?.maxTime ?? 0) > after.timeUs) consider(name);
  }
  return best;
}

/** Inserts `row` into key-sorted `rows`, keeping at most `limit`. */
function insertSorted(rows: Row[], row: Row, limit: number): void {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(rows[mid] as Row, row) < 0) lo = mid + 1;
    else hi = mid;
  }
  rows.splice(lo, 0, row);
  if (rows.length > limit) rows.pop();
}
