import { parseMicros } from './clock.js';
import { compareStrings } from './sortedStrings.js';
import type { StoredName } from './types.js';

const DELETED = 1;
const LATEST = 2;
const GONE = 4;

/**
 * Interns strings so one copy serves every holder: the same few hundred version strings recur
 * across hundreds of thousands of versions, and mirrored registries repeat names and texts.
 * {@link size} lets the owner rebuild it when it has grown far beyond what is still used.
 */
export class StringPool {
  private readonly pool = new Map<string, string>();

  intern(s: string): string {
    const hit = this.pool.get(s);
    if (hit !== undefined) return hit;
    this.pool.set(s, s);
    return s;
  }

  get size(): number {
    return this.pool.size;
  }
}

/**
 * One name in one registry, as the read model keeps it: only what filtering, ordering and
 * ownership need, as parallel arrays (no object per version) so hundreds of thousands of versions
 * stay small and cheap for the garbage collector. Served bodies and metadata stay in Redis.
 */
export class IndexedName {
  private constructor(
    /** Versions sorted by plain string order. */
    readonly versions: readonly string[],
    /** Per version `k`: `[2k]` the gateway's change time, `[2k+1]` publishedAt (µs). */
    private readonly times: readonly number[],
    private readonly flags: readonly number[],
    /** Index of the latest version, or -1. */
    readonly latest: number,
    /** What `search` looks in: the lower-cased name, title and description of the latest version. */
    readonly text: string,
    /** Live (not removed) versions: the registry holds the name when > 0. */
    readonly live: number,
    /** When the registry started holding the name (µs; 0 = unknown or not holding). */
    readonly since: number,
    /** When the registry stopped holding the name (µs of its last removal) when `live` is 0, else 0. */
    readonly lostAt: number,
    /** The latest of every time above (an upper bound of any row time derived from this name). */
    readonly maxTime: number,
  ) {}

  /** Builds the read-model form of a stored name (`pool` interns repeated strings). */
  static from(name: string, stored: StoredName, pool: StringPool): IndexedName {
    const sorted = [...stored.v].sort((a, b) => compareStrings(a.version, b.version));
    const n = sorted.length;
    const versions = new Array<string>(n);
    const flags = new Array<number>(n);
    const times = new Array<number>(2 * n);
    let latest = -1;
    let live = 0;
    let lostAt = 0;
    let maxTime = 0;
    sorted.forEach((r, k) => {
      versions[k] = pool.intern(r.version);
      flags[k] = (r.status === 'deleted' ? DELETED : 0) | (r.isLatest ? LATEST : 0) | (r.gone ? GONE : 0);
      const t = parseMicros(r.updatedAt);
      times[2 * k] = t;
      times[2 * k + 1] = parseMicros(r.publishedAt);
      if (r.isLatest) latest = k;
      if (r.gone) lostAt = Math.max(lostAt, t);
      else live++;
      maxTime = Math.max(maxTime, t);
    });
    const since = live > 0 && stored.since ? parseMicros(stored.since) : 0;
    const textOf = sorted[latest] ?? sorted[0];
    return new IndexedName(versions, times, flags, latest, pool.intern(`${name.toLowerCase()}\n${textOf?.text ?? ''}`), live, since, live > 0 ? 0 : lostAt, Math.max(maxTime, since));
  }

  get size(): number {
    return this.versions.length;
  }

  /** The same name with its strings taken from `pool` (when the read model rebuilds its pool). */
  reintern(pool: StringPool): IndexedName {
    return new IndexedName(this.versions.map((v) => pool.intern(v)), this.times, this.flags, this.latest, pool.intern(this.text), this.live, this.since, this.lostAt, this.maxTime);
  }

  /** The gateway's change time of version `k` (µs). */
  updatedUs(k: number): number {
    return this.times[2 * k] as number;
  }

  /** publishedAt of version `k` (µs). */
  publishedUs(k: number): number {
    return this.times[2 * k + 1] as number;
  }

  /** Served as `deleted` (a tombstone from the source, or a removed version). */
  isDeleted(k: number): boolean {
    return ((this.flags[k] as number) & DELETED) !== 0;
  }

  isLatest(k: number): boolean {
    return ((this.flags[k] as number) & LATEST) !== 0;
  }

  /** Removed from the registry (kept as a tombstone until the retention ends). */
  isGone(k: number): boolean {
    return ((this.flags[k] as number) & GONE) !== 0;
  }
}
