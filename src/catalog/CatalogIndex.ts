import type { Logger } from '../observability/logger.js';
import type { CatalogStore } from './CatalogStore.js';
import { compareStrings, lowerBound, sortedInsert, sortedRemove } from './sortedStrings.js';
import type { VersionRecord } from './types.js';

/** Flag bits of a version in {@link IndexedName.flags}. */
export const DELETED = 1;
export const LATEST = 2;

/**
 * One name in one registry, as the read model keeps it: only what filtering and ordering need, as
 * parallel arrays (no object per version; timestamps in a packed double array) so hundreds of
 * thousands of versions stay small and cheap for the garbage collector. Served metadata is read
 * from Redis with the body.
 */
export interface IndexedName {
  /** Versions sorted by plain string order. */
  readonly versions: readonly string[];
  /** Per version `i`: `[2i]` the gateway's change time (`updatedAt`, ms), `[2i+1]` `publishedAt` (ms). */
  readonly times: readonly number[];
  /** Per version: {@link DELETED} | {@link LATEST} bits. */
  readonly flags: readonly number[];
  /** Index of the latest version, or -1. */
  readonly latest: number;
  /** What `search` looks in: the lower-cased name, title and description (of the latest version). */
  readonly text: string;
}

/** One registry's part of the read model. */
export interface RegistryView {
  /** Sorted names the registry holds (any version, deleted included). */
  readonly names: readonly string[];
  readonly byName: ReadonlyMap<string, IndexedName>;
}

interface MutableRegistry {
  names: string[];
  byName: Map<string, IndexedName>;
}

const BATCH = 5000;
/** Past this many membership changes in one refresh, re-sort instead of splicing. */
const RESORT_THRESHOLD = 2000;

/**
 * Interns strings so one copy serves every holder: the same few hundred version strings recur
 * across hundreds of thousands of versions, and mirrored registries repeat names and texts.
 */
class StringPool {
  private readonly pool = new Map<string, string>();

  intern(s: string): string {
    const hit = this.pool.get(s);
    if (hit !== undefined) return hit;
    this.pool.set(s, s);
    return s;
  }
}

function toIndexed(name: string, records: VersionRecord[], pool: StringPool): IndexedName {
  const sorted = [...records].sort((a, b) => compareStrings(a.version, b.version));
  // Exact-length arrays (push would leave growth slack on every name).
  const versions = sorted.map((r) => pool.intern(r.version));
  const flags = sorted.map((r) => (r.status === 'deleted' ? DELETED : 0) | (r.isLatest ? LATEST : 0));
  const times = new Array<number>(2 * sorted.length);
  let latest = -1;
  sorted.forEach((r, i) => {
    times[2 * i] = Date.parse(r.updatedAt);
    times[2 * i + 1] = Date.parse(r.publishedAt);
    if (r.isLatest) latest = i;
  });
  const textOf = sorted[latest] ?? sorted[0];
  // One haystack per name, so a search scan makes no allocation per name.
  return { versions, times, flags, latest, text: pool.intern([name.toLowerCase(), textOf?.text ?? ''].join('\n')) };
}

/**
 * The per-process read model of the index: names, version records and ownership for every
 * configured registry, kept in memory (bodies stay in Redis) and brought up to date from the change
 * stream before each read, so every replica reads its own writes and everyone else's.
 * API replicas stay stateless: this is derived state, rebuilt from Redis at start.
 */
export class CatalogIndex {
  private regs: MutableRegistry[] = [];
  private pool = new StringPool();
  private union: string[] = [];
  private holders = new Map<string, number[]>();
  /**
   * Parallel to `union`: every holder's search text, and the latest change time of any holder's
   * version or of the holder set — scanned as plain arrays, so a search or `updated_since` query
   * rejects names without a map lookup.
   */
  private unionText: string[] = [];
  private unionChange: number[] = [];
  /** When the set of registries holding a name last changed with other holders involved (ms). */
  private holderChanged = new Map<string, number>();
  private lastId = '0-0';
  private lastSeq = 0;
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private readonly position: Map<string, number>;

  /**
   * @param registries registry names in priority order (config order)
   */
  constructor(
    private readonly store: CatalogStore,
    readonly registries: readonly string[],
    private readonly logger?: Logger,
  ) {
    this.position = new Map(registries.map((name, i) => [name, i]));
    this.regs = registries.map(() => ({ names: [], byName: new Map() }));
  }

  /** Priority index of a configured registry, or undefined. */
  indexOf(registry: string): number | undefined {
    return this.position.get(registry);
  }

  /** Read access to one registry's records. */
  registry(i: number): RegistryView {
    return this.regs[i] as MutableRegistry;
  }

  /** Every name held by any registry, sorted. */
  get names(): readonly string[] {
    return this.union;
  }

  /** Search text of every holder of `names[i]` (aggregated scope), joined. */
  unionTextAt(i: number): string {
    return this.unionText[i] as string;
  }

  /** Latest change (ms) among the holders of `names[i]`, including changes of the holder set. */
  unionChangeAt(i: number): number {
    return this.unionChange[i] as number;
  }

  private summarize(name: string): [string, number] {
    const texts: string[] = [];
    let change = this.holderChanged.get(name) ?? 0;
    for (const h of this.holders.get(name) ?? []) {
      const entry = (this.regs[h] as MutableRegistry).byName.get(name);
      if (!entry) continue;
      texts.push(entry.text);
      for (let k = 0; k < entry.versions.length; k++) change = Math.max(change, entry.times[2 * k] as number);
    }
    return [texts.length === 1 ? (texts[0] as string) : texts.join('\n'), change];
  }

  private rebuildUnionSummaries(): void {
    const text: string[] = new Array(this.union.length);
    const change: number[] = new Array(this.union.length);
    this.union.forEach((name, i) => {
      [text[i], change[i]] = this.summarize(name) as [string, number];
    });
    this.unionText = text;
    this.unionChange = change;
  }

  private unionInsert(name: string): void {
    const i = lowerBound(this.union, name);
    if (this.union[i] === name) return;
    this.union.splice(i, 0, name);
    this.unionText.splice(i, 0, '');
    this.unionChange.splice(i, 0, 0);
  }

  private unionRemove(name: string): void {
    const i = lowerBound(this.union, name);
    if (this.union[i] !== name) return;
    this.union.splice(i, 1);
    this.unionText.splice(i, 1);
    this.unionChange.splice(i, 1);
  }

  /**
   * When the aggregated owner of `name` may last have changed (a registry gained or lost the name
   * while others held it), in ms; 0 when never.
   */
  ownershipChangedMs(name: string): number {
    return this.holderChanged.get(name) ?? 0;
  }

  /** Registries (priority indexes, ascending) holding `name`. */
  holdersOf(name: string): readonly number[] {
    return this.holders.get(name) ?? [];
  }

  /** Total versions held by registry `i`. */
  versionCount(i: number): number {
    let n = 0;
    for (const entry of (this.regs[i] as MutableRegistry).byName.values()) n += entry.versions.length;
    return n;
  }

  /** Rebuilds the whole read model from Redis. */
  async load(): Promise<void> {
    const started = Date.now();
    const position = await this.store.changePosition();
    const regs: MutableRegistry[] = this.registries.map(() => ({ names: [], byName: new Map() }));
    const holders = new Map<string, number[]>();
    const pool = new StringPool();
    for (let i = 0; i < this.registries.length; i++) {
      const reg = regs[i] as MutableRegistry;
      for await (const chunk of this.store.scanRegistry(this.registries[i] as string)) {
        for (const [rawName, records] of chunk) {
          if (records.length === 0) continue;
          const name = pool.intern(rawName);
          reg.byName.set(name, toIndexed(name, records, pool));
          reg.names.push(name);
          const h = holders.get(name);
          if (h) h.push(i);
          else holders.set(name, [i]);
        }
      }
      reg.names.sort(compareStrings);
    }
    const holderChanged = new Map<string, number>();
    for await (const chunk of this.store.scanHolderChanges()) for (const [name, t] of chunk) holderChanged.set(pool.intern(name), t);
    this.regs = regs;
    this.pool = pool;
    this.holders = holders;
    this.holderChanged = holderChanged;
    this.union = [...holders.keys()].sort(compareStrings);
    this.rebuildUnionSummaries();
    this.lastId = position.id;
    this.lastSeq = position.seq;
    this.logger?.debug('catalog index loaded', { names: this.union.length, ms: Date.now() - started });
  }

  /**
   * Applies every change committed so far. Concurrent callers share work, but a caller never gets
   * a refresh that started before it asked (read-your-writes across replicas).
   * @throws the Redis error when Redis is unreachable.
   */
  ensureFresh(): Promise<void> {
    if (!this.running) {
      this.running = this.refresh().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    if (!this.queued) {
      this.queued = this.running
        .catch(() => undefined)
        .then(() => {
          this.queued = undefined;
          return this.ensureFresh();
        });
    }
    return this.queued;
  }

  private async refresh(): Promise<void> {
    for (;;) {
      const { seq, events } = await this.store.changesAfter(this.lastId, BATCH);
      if (seq < this.lastSeq || (events.length > 0 && (events[0] as { seq: number }).seq !== this.lastSeq + 1)) {
        this.logger?.info('catalog change stream gap or Redis data loss; reloading the index', { expected: this.lastSeq + 1, seq });
        await this.load();
        return;
      }
      if (events.length === 0) return;
      const touched = new Map<number, Set<string>>();
      for (const e of events) {
        const i = this.position.get(e.registry);
        if (i === undefined) continue;
        let set = touched.get(i);
        if (!set) touched.set(i, (set = new Set()));
        set.add(e.name);
      }
      const allTouched = [...new Set([...touched.values()].flatMap((set) => [...set]))];
      const [fetched, changes] = await Promise.all([
        Promise.all([...touched].map(async ([i, names]) => [i, await this.store.readNames(this.registries[i] as string, [...names])] as const)),
        this.store.holderChanges(allTouched),
      ]);
      allTouched.forEach((name, k) => {
        const t = changes[k] ?? 0;
        if (t > 0) this.holderChanged.set(this.pool.intern(name), t);
        else this.holderChanged.delete(name);
      });
      let membershipChanges = 0;
      for (const [, m] of fetched) membershipChanges += m.size;
      const resort = membershipChanges > RESORT_THRESHOLD;
      for (const [i, states] of fetched) {
        for (const [name, state] of states) this.setName(i, name, state.records, resort);
      }
      if (resort) {
        for (const reg of this.regs) reg.names = [...reg.byName.keys()].sort(compareStrings);
        this.union = [...this.holders.keys()].sort(compareStrings);
        this.rebuildUnionSummaries();
      } else {
        for (const name of allTouched) {
          const pos = lowerBound(this.union, name);
          if (this.union[pos] === name) [this.unionText[pos], this.unionChange[pos]] = this.summarize(name);
        }
      }
      const last = events[events.length - 1] as { id: string; seq: number };
      this.lastId = last.id;
      this.lastSeq = last.seq;
      if (events.length < BATCH) return;
    }
  }

  private setName(i: number, rawName: string, records: VersionRecord[], deferSort: boolean): void {
    const reg = this.regs[i] as MutableRegistry;
    const name = this.pool.intern(rawName);
    const had = reg.byName.has(name);
    if (records.length > 0) {
      reg.byName.set(name, toIndexed(name, records, this.pool));
      if (had) return;
      const h = this.holders.get(name);
      if (h) {
        h.push(i);
        h.sort((a, b) => a - b);
      } else this.holders.set(name, [i]);
      if (deferSort) return;
      sortedInsert(reg.names, name);
      if (!h) this.unionInsert(name);
      return;
    }
    if (!had) return;
    reg.byName.delete(name);
    const h = (this.holders.get(name) ?? []).filter((x) => x !== i);
    if (h.length > 0) this.holders.set(name, h);
    else this.holders.delete(name);
    if (deferSort) return;
    sortedRemove(reg.names, name);
    if (h.length === 0) this.unionRemove(name);
  }
}
