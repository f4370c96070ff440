import { IndexedName, StringPool } from './IndexedName.js';
import { compareStrings, lowerBound, sortedInsert, sortedRemove } from './sortedStrings.js';
import type { StoredName } from './types.js';

interface RegistryPart {
  names: string[];
  byName: Map<string, IndexedName>;
}

/**
 * The registries holding one name and their records, in ascending priority (parallel arrays):
 * everything resolving the name needs, reached with one lookup (or none, by position in the
 * aggregated names) instead of one per registry. Updated in place as the name changes.
 */
export interface Holding {
  readonly registries: number[];
  readonly entries: IndexedName[];
}

const NOBODY: Holding = { registries: [], entries: [] };

/** Past this many name changes in one batch, re-sort instead of splicing. */
const RESORT_THRESHOLD = 2000;

/**
 * The in-memory read model of the catalogue: for every configured registry (in priority order)
 * the names it has records of, and for the aggregated scope the union of all names with, per
 * name, which registries have records and summaries that let scans reject names cheaply.
 * Synchronous and free of I/O: a follower feeds it stored names; queries (listing.ts) read it.
 */
export class ReadModel {
  private parts: RegistryPart[];
  private pool = new StringPool();
  private poolBaseline = 0;
  private union: string[] = [];
  private holders = new Map<string, Holding>();
  /** Parallel to `union`: its holding, every holder's search text, and the latest time of any holder's data. */
  private unionHolding: Holding[] = [];
  private unionText: string[] = [];
  private unionChange: number[] = [];
  private readonly position: Map<string, number>;

  /** @param registries registry names in priority order (config order) */
  constructor(readonly registries: readonly string[]) {
    this.position = new Map(registries.map((name, i) => [name, i]));
    this.parts = registries.map(() => ({ names: [], byName: new Map() }));
  }

  /** Priority index of a configured registry, or undefined. */
  indexOf(registry: string): number | undefined {
    return this.position.get(registry);
  }

  /** Sorted names of one registry (`i`), or of every registry (undefined). */
  namesOf(i?: number): readonly string[] {
    return i === undefined ? this.union : (this.parts[i] as RegistryPart).names;
  }

  /** One registry's record of a name. */
  entry(i: number, name: string): IndexedName | undefined {
    return (this.parts[i] as RegistryPart).byName.get(name);
  }

  /** The registries (ascending priority) with any record of `name`, removed versions included, and their records (see {@link Holding}). */
  holding(name: string): Holding {
    return this.holders.get(name) ?? NOBODY;
  }

  /** The holding of `namesOf()[i]`, without a lookup. */
  holdingAt(i: number): Holding {
    return this.unionHolding[i] as Holding;
  }

  /** Search text of every registry's record of `namesOf()[i]`, joined. */
  unionTextAt(i: number): string {
    return this.unionText[i] as string;
  }

  /** Upper bound (µs) of the time of any row of `namesOf()[i]`, in any scope, for any caller. */
  unionChangeAt(i: number): number {
    return this.unionChange[i] as number;
  }

  /** Live versions held by registry `i`. */
  versionCount(i: number): number {
    let n = 0;
    for (const e of (this.parts[i] as RegistryPart).byName.values()) n += e.live;
    return n;
  }

  /** Replaces everything with freshly loaded names: `load(i)` yields registry `i`'s stored names. */
  reset(load: (i: number, put: (name: string, stored: StoredName) => void) => void): void {
    this.pool = new StringPool();
    this.parts = this.registries.map(() => ({ names: [], byName: new Map() }));
    this.holders = new Map();
    this.registries.forEach((_, i) => load(i, (name, stored) => this.add(i, name, stored)));
    this.loaded();
  }

  /**
   * Adds one stored name of registry `i` to a model being filled (a new one, or inside `reset`)
   * without keeping it sorted; call {@link loaded} after the last. Lets a loader build the model
   * batch by batch instead of holding every parsed record at once.
   */
  add(i: number, name: string, stored: StoredName): void {
    this.set(i, name, stored, true);
  }

  /** Finishes filling: sorts the names and builds the aggregated summaries. */
  loaded(): void {
    this.resort();
    this.poolBaseline = this.pool.size;
  }

  /** Applies changed names (undefined = the name is gone from that registry). */
  apply(changes: ReadonlyArray<{ registry: number; name: string; stored: StoredName | undefined }>): void {
    const defer = changes.length > RESORT_THRESHOLD;
    for (const c of changes) this.set(c.registry, c.name, c.stored, defer);
    if (defer) this.resort();
    else for (const c of changes) this.summarize(c.name);
    // Interned strings of replaced texts are never freed one by one: start a fresh pool once the
    // old one has doubled (amortised: a rebuild per as many changes as there are names).
    if (this.pool.size > 2 * this.poolBaseline + 10_000) this.repool();
  }

  private set(i: number, rawName: string, stored: StoredName | undefined, defer: boolean): void {
    const part = this.parts[i] as RegistryPart;
    const name = this.pool.intern(rawName);
    const had = part.byName.has(name);
    if (stored && stored.v.length > 0) {
      const entry = IndexedName.from(name, stored, this.pool);
      part.byName.set(name, entry);
      const h = this.holders.get(name);
      if (had) {
        (h as Holding).entries[(h as Holding).registries.indexOf(i)] = entry;
        return;
      }
      if (h) {
        let at = 0;
        while (at < h.registries.length && (h.registries[at] as number) < i) at++;
        h.registries.splice(at, 0, i);
        h.entries.splice(at, 0, entry);
      } else this.holders.set(name, { registries: [i], entries: [entry] });
      if (defer) return;
      sortedInsert(part.names, name);
      if (!h) this.unionInsert(name);
      return;
    }
    if (!had) return;
    part.byName.delete(name);
    const h = this.holders.get(name) as Holding;
    const at = h.registries.indexOf(i);
    h.registries.splice(at, 1);
    h.entries.splice(at, 1);
    if (h.registries.length === 0) this.holders.delete(name);
    if (defer) return;
    sortedRemove(part.names, name);
    if (h.registries.length === 0) this.unionRemove(name);
  }

  private resort(): void {
    for (const part of this.parts) part.names = [...part.byName.keys()].sort(compareStrings);
    this.union = [...this.holders.keys()].sort(compareStrings);
    this.unionHolding = new Array(this.union.length);
    this.unionText = new Array(this.union.length);
    this.unionChange = new Array(this.union.length);
    this.union.forEach((name, i) => this.summarizeAt(i, name));
  }

  private summarize(name: string): void {
    const i = lowerBound(this.union, name);
    if (this.union[i] === name) this.summarizeAt(i, name);
  }

  private summarizeAt(i: number, name: string): void {
    const holding = this.holding(name);
    const texts: string[] = [];
    let change = 0;
    for (const e of holding.entries) {
      texts.push(e.text);
      change = Math.max(change, e.maxTime);
    }
    this.unionHolding[i] = holding;
    this.unionText[i] = texts.length === 1 ? (texts[0] as string) : texts.join('\n');
    this.unionChange[i] = change;
  }

  private unionInsert(name: string): void {
    const i = lowerBound(this.union, name);
    this.union.splice(i, 0, name);
    this.unionHolding.splice(i, 0, NOBODY);
    this.unionText.splice(i, 0, '');
    this.unionChange.splice(i, 0, 0);
  }

  private unionRemove(name: string): void {
    const i = lowerBound(this.union, name);
    if (this.union[i] !== name) return;
    this.union.splice(i, 1);
    this.unionHolding.splice(i, 1);
    this.unionText.splice(i, 1);
    this.unionChange.splice(i, 1);
  }

  private repool(): void {
    const pool = new StringPool();
    for (const part of this.parts) {
      part.names = part.names.map((n) => pool.intern(n));
      part.byName = new Map([...part.byName].map(([name, e]) => [pool.intern(name), e.reintern(pool)]));
    }
    this.union = this.union.map((n) => pool.intern(n));
    this.unionText = this.unionText.map((t) => pool.intern(t));
    this.holders = new Map(
      [...this.holders].map(([n, h]) => [pool.intern(n), { registries: h.registries, entries: h.registries.map((i) => (this.parts[i] as RegistryPart).byName.get(n) as IndexedName) }]),
    );
    this.union.forEach((name, i) => (this.unionHolding[i] = this.holding(name)));
    this.pool = pool;
    this.poolBaseline = pool.size;
  }
}
