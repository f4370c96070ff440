import type { CursorPosition } from './cursor.js';
import { resolveName, type NameView, type Row } from './nameRows.js';
import type { ReadModel } from './ReadModel.js';
import { lowerBound } from './sortedStrings.js';
import type { Scope, Visibility } from './visibility.js';

export type { Row } from './nameRows.js';

/** Filters of `GET /v0.1/servers`, already validated. */
export interface ListFilter {
  /** Lower-cased substring to find in the name, title or description. */
  search?: string;
  /** Strictly-greater lower bound on the served `updatedAt`, in µs. */
  updatedSinceUs?: number;
  /** `latest` or an exact version. */
  version?: string;
  includeDeleted: boolean;
}

/** A page of rows and, when more exist, the position to continue after. */
export interface Page {
  rows: Row[];
  next?: CursorPosition;
}

function rowMatches(row: Row, f: ListFilter): boolean {
  if (!f.includeDeleted && row.deleted) return false;
  if (f.version !== undefined && (f.version === 'latest' ? !row.latest : row.version !== f.version)) return false;
  if (f.updatedSinceUs !== undefined && !(row.timeUs > f.updatedSinceUs)) return false;
  return true;
}

/**
 * Lists rows ordered by name then version (plain string order), strictly after `after`, applying
 * the caller's visibility while scanning the read model — so a page is full whenever enough
 * visible rows exist and `next` is set only when at least one more row follows. The same rows,
 * filtered by time, make the `updated_since` feed: the feed equals the listing by construction.
 */
export function listRows(model: ReadModel, view: Visibility, scope: Scope, filter: ListFilter, limit: number, cutoffUs: number, after?: CursorPosition): Page {
  const registry = scope.kind === 'registry' ? scope.index : undefined;
  const names = model.namesOf(registry);
  const rows: Row[] = [];
  for (let i = after ? lowerBound(names, after.name) : 0; i < names.length; i++) {
    const name = names[i] as string;
    // Cheap rejections from plain arrays, using only what can never reveal an invisible name:
    // nothing of the name changed since `updated_since` (a bound over every registry), or, for a
    // caller who sees everything, no registry's text matches the search.
    if (registry === undefined) {
      if (filter.updatedSinceUs !== undefined && !(model.unionChangeAt(i) > filter.updatedSinceUs)) continue;
      if (view.admin && filter.search !== undefined && !model.unionTextAt(i).includes(filter.search)) continue;
    }
    const jump = view.nextVisible?.(registry, name);
    if (jump !== undefined && jump > name) {
      // A range of names this caller cannot see: continue at the first one it might.
      i = lowerBound(names, jump) - 1;
      continue;
    }
    const seen = resolveName(model, view, scope, name, cutoffUs, filter.includeDeleted, registry === undefined ? model.holdingAt(i) : undefined);
    if (!seen || (filter.search !== undefined && !seen.text.includes(filter.search))) continue;
    const skipUpTo = after && after.name === name ? after.version : undefined;
    for (const row of seen.rows) {
      if (skipUpTo !== undefined && row.version <= skipUpTo) continue;
      if (!rowMatches(row, filter)) continue;
      if (rows.length === limit) {
        const last = rows[rows.length - 1] as Row;
        return { rows, next: { name: last.name, version: last.version } };
      }
      rows.push(row);
    }
  }
  return { rows };
}

/**
 * All versions of `name` the caller sees in `scope`, newest `publishedAt` first; undefined when
 * none (or only tombstones without `includeDeleted`).
 */
export function listVersions(model: ReadModel, view: Visibility, scope: Scope, name: string, includeDeleted: boolean, cutoffUs: number): Row[] | undefined {
  const seen = resolveName(model, view, scope, name, cutoffUs, includeDeleted);
  if (!seen) return undefined;
  const rows = includeDeleted ? seen.rows : seen.rows.filter((r) => !r.deleted);
  if (rows.length === 0) return undefined;
  const published = (r: Row) => r.record.publishedUs(r.k);
  // Newest publishedAt first; rows are sorted ascending, so a tie puts the higher version first.
  return rows.map((r, i) => [r, i] as const).sort(([a, i], [b, j]) => published(b) - published(a) || j - i).map(([r]) => r);
}

/** One version (or `latest`) of `name`, or undefined when not visible. */
export function findVersion(model: ReadModel, view: Visibility, scope: Scope, name: string, version: string, includeDeleted: boolean, cutoffUs: number): Row | undefined {
  const seen: NameView | undefined = resolveName(model, view, scope, name, cutoffUs, includeDeleted);
  const row = seen?.rows.find((r) => (version === 'latest' ? r.latest : r.version === version));
  if (!row || (!includeDeleted && row.deleted)) return undefined;
  return row;
}
