import type { OfficialMeta, ServerJson, ServerStatus } from '../catalog/types.js';
import { pickLatest } from '../catalog/versionOrder.js';

/** One version row as the official registry keeps it: the body and its official metadata. */
export interface SampleRow extends OfficialMeta {
  server: ServerJson;
}

/** Query of {@link SampleRegistry.list}, as the official `GET /v0.1/servers` takes it. */
export interface SampleListQuery {
  cursor?: string;
  limit: number;
  search?: string;
  updatedSinceMs?: number;
  version?: string;
  includeDeleted: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * An in-memory registry with the official registry's read semantics — including its quirks:
 * `name:version` cursors, `nextCursor` on every full page, and `updatedAt` NOT bumped on the
 * version that loses isLatest. Used by the demo's bundled upstream and by tests as a real HTTP
 * upstream; not part of the gateway's serving path.
 */
export class SampleRegistry {
  private rows = new Map<string, SampleRow>();
  private byName = new Map<string, Map<string, SampleRow>>();
  /** Rows in list order, rebuilt lazily after a change. */
  private sorted: SampleRow[] | undefined;
  /** Every change in time order, so `updated_since` costs O(changes), as an indexed column would. */
  private changes: Array<{ ms: number; row: SampleRow }> = [];

  private key(name: string, version: string): string {
    return `${name}\u0000${version}`;
  }

  private now(): number {
    return Date.now();
  }

  /** Publishes a version (or replaces its body), recomputing isLatest the official way. */
  publish(server: ServerJson, publishedAt?: string): SampleRow {
    const t = this.now();
    const row: SampleRow = {
      server,
      status: 'active',
      statusChangedAt: publishedAt ?? iso(t),
      publishedAt: publishedAt ?? iso(t),
      updatedAt: iso(t),
      isLatest: false,
    };
    this.rows.set(this.key(server.name, server.version), row);
    this.changes.push({ ms: t, row });
    let versions = this.byName.get(server.name);
    if (!versions) this.byName.set(server.name, (versions = new Map()));
    versions.set(server.version, row);
    this.sorted = undefined;
    this.recomputeLatest(server.name);
    return row;
  }

  /** Changes a version's status (bumps its `updatedAt`), recomputing isLatest. */
  setStatus(name: string, version: string, status: ServerStatus, statusMessage?: string): void {
    const row = this.rows.get(this.key(name, version));
    if (!row) throw new Error(`no such version ${name}@${version}`);
    const t = iso(this.now());
    row.status = status;
    row.statusChangedAt = t;
    row.updatedAt = t;
    this.changes.push({ ms: Date.parse(t), row });
    if (statusMessage) row.statusMessage = statusMessage;
    else delete row.statusMessage;
    this.recomputeLatest(name);
  }

  /** Hard-removes a version (something the official registry never does; used to test sweeps). */
  remove(name: string, version: string): void {
    this.rows.delete(this.key(name, version));
    this.byName.get(name)?.delete(version);
    this.sorted = undefined;
    this.recomputeLatest(name);
  }

  /** Number of version rows. */
  get size(): number {
    return this.rows.size;
  }

  /** Every row (any order). */
  all(): SampleRow[] {
    return [...this.rows.values()];
  }

  private versionsOf(name: string): SampleRow[] {
    return [...(this.byName.get(name)?.values() ?? [])];
  }

  private ordered(): SampleRow[] {
    this.sorted ??= [...this.rows.values()].sort((a, b) => cmp(a.server.name, b.server.name) || cmp(a.server.version, b.server.version));
    return this.sorted;
  }

  // The official registry flips is_latest with a plain UPDATE that leaves updated_at alone.
  private recomputeLatest(name: string): void {
    const versions = this.versionsOf(name);
    const latest = pickLatest(versions.map((r) => ({ version: r.server.version, publishedAt: r.publishedAt, status: r.status, row: r })));
    for (const r of versions) r.isLatest = r === latest?.row;
  }

  /** `GET /v0.1/servers` semantics. */
  list(q: SampleListQuery): { rows: SampleRow[]; nextCursor?: string } {
    let after: [string, string] | undefined;
    if (q.cursor) {
      const i = q.cursor.indexOf(':');
      after = i === -1 ? [q.cursor, '\uffff'] : [q.cursor.slice(0, i), q.cursor.slice(i + 1)];
    }
    const search = q.search?.toLowerCase();
    const sorted = q.updatedSinceMs !== undefined ? this.changedSince(q.updatedSinceMs) : this.ordered();
    let lo = 0;
    if (after) {
      const [n, v] = after;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const m = (sorted[mid] as SampleRow).server;
        if (m.name < n || (m.name === n && m.version <= v)) lo = mid + 1;
        else hi = mid;
      }
    }
    const out: SampleRow[] = [];
    for (let i = lo; i < sorted.length; i++) {
      const r = sorted[i] as SampleRow;
      const { name, version } = r.server;
      if (!q.includeDeleted && r.status === 'deleted') continue;
      if (q.version === 'latest' ? !r.isLatest : q.version !== undefined && version !== q.version) continue;
      if (q.updatedSinceMs !== undefined && !(Date.parse(r.updatedAt) > q.updatedSinceMs)) continue;
      if (search && !name.toLowerCase().includes(search)) continue;
      out.push(r);
      if (out.length === q.limit) break;
    }
    const last = out[out.length - 1];
    return out.length === q.limit && last ? { rows: out, nextCursor: `${last.server.name}:${last.server.version}` } : { rows: out };
  }

  private changedSince(ms: number): SampleRow[] {
    let lo = 0;
    let hi = this.changes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.changes[mid] as { ms: number }).ms <= ms) lo = mid + 1;
      else hi = mid;
    }
    const rows = new Set<SampleRow>();
    for (let i = lo; i < this.changes.length; i++) {
      const row = (this.changes[i] as { row: SampleRow }).row;
      if (this.rows.get(this.key(row.server.name, row.server.version)) === row) rows.add(row);
    }
    return [...rows].sort((a, b) => cmp(a.server.name, b.server.name) || cmp(a.server.version, b.server.version));
  }

  /** Versions of one name, newest publishedAt first. */
  versions(name: string, includeDeleted: boolean): SampleRow[] {
    return this.versionsOf(name)
      .filter((r) => includeDeleted || r.status !== 'deleted')
      .sort((a, b) => Date.parse(b.publishedAt) - Date.parse(a.publishedAt));
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The official response item for a row. */
export function sampleItem(r: SampleRow): Record<string, unknown> {
  const official: Record<string, unknown> = {
    status: r.status,
    statusChangedAt: r.statusChangedAt,
    publishedAt: r.publishedAt,
    updatedAt: r.updatedAt,
    isLatest: r.isLatest,
  };
  if (r.statusMessage) official.statusMessage = r.statusMessage;
  return { server: r.server, _meta: { 'io.modelcontextprotocol.registry/official': official } };
}
