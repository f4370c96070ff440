import type { Redis } from 'ioredis';
import { bodyField, type Keys } from './keys.js';
import { readStoredEntry } from './storedEntry.js';
import { parseStoredName } from './storedName.js';
import type { StoredName } from './types.js';

/** One change event: a write of one name in one registry, committed at `timeUs`. */
export interface ChangeEvent {
  id: string;
  seq: number;
  registry: string;
  name: string;
  timeUs: number;
}

/** A body to fetch: one version of one name in one registry. */
export interface EntryRef {
  registry: string;
  name: string;
  version: string;
}

/** What is served for one version: the stored server.json and its pre-rendered `_meta` prefix. */
export interface StoredEntry {
  body: Buffer;
  metaPrefix: Buffer;
}

/** Indexes of `refs` (all, or those in `only`) grouped by registry, in first-seen order. */
function groupByRegistry(refs: readonly EntryRef[], only?: readonly number[]): Array<[string, number[]]> {
  const byRegistry = new Map<string, number[]>();
  for (const i of only ?? refs.keys()) {
    const registry = (refs[i] as EntryRef).registry;
    const list = byRegistry.get(registry);
    if (list) list.push(i);
    else byRegistry.set(registry, [i]);
  }
  return [...byRegistry];
}

function fieldsOf(refs: readonly EntryRef[], indexes: readonly number[]): string[] {
  return indexes.map((i) => bodyField((refs[i] as EntryRef).name, (refs[i] as EntryRef).version));
}

/**
 * Read access to the Redis-backed catalogue (the {@link CatalogWriter} is its only writer): stored
 * names, served bodies, counters, and the change stream replicas follow.
 */
export class CatalogStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  /** Reads the stored value of several names of one registry (absent names map to undefined). */
  async readNames(registry: string, names: readonly string[]): Promise<Map<string, StoredName | undefined>> {
    const out = new Map<string, StoredName | undefined>();
    if (names.length === 0) return out;
    const values = await this.redis.hmget(this.keys.meta(registry), ...names);
    names.forEach((name, i) => out.set(name, values[i] ? parseStoredName(values[i]) : undefined));
    return out;
  }

  /** Iterates every stored name of a registry, in batches (HSCAN). */
  async *scanRegistry(registry: string, batch = 1000): AsyncGenerator<Array<[string, StoredName]>> {
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.keys.meta(registry), cursor, 'COUNT', batch);
      cursor = next;
      const chunk: Array<[string, StoredName]> = [];
      for (let i = 0; i + 1 < flat.length; i += 2) chunk.push([flat[i] as string, parseStoredName(flat[i + 1])]);
      if (chunk.length > 0) yield chunk;
    } while (cursor !== '0');
  }

  /** Names and live versions stored for each registry (maintained atomically by every write). */
  async counts(registries: readonly string[]): Promise<Map<string, { names: number; versions: number }>> {
    const out = new Map<string, { names: number; versions: number }>();
    if (registries.length === 0) return out;
    const fields = registries.flatMap((r) => [`${r}:names`, `${r}:versions`]);
    const values = await this.redis.hmget(this.keys.counts, ...fields);
    registries.forEach((r, i) => out.set(r, { names: Number(values[2 * i] ?? 0), versions: Number(values[2 * i + 1] ?? 0) }));
    return out;
  }

  /** The id of the newest change event ('0-0' when none): a cheap "did anything change?" probe. */
  async headId(): Promise<string> {
    const last = await this.redis.xrevrange(this.keys.changes, '+', '-', 'COUNT', 1);
    return last[0]?.[0] ?? '0-0';
  }

  /**
   * Fetches the stored body and `_meta` prefix of each ref in one pipelined round trip (one HMGET
   * per registry; see storedEntry.ts). A ref whose entry is gone (a concurrent write) maps to
   * `null`. Entries still in the previous storage format cost one more round trip.
   */
  async getEntries(refs: readonly EntryRef[]): Promise<Array<StoredEntry | null>> {
    const groups = groupByRegistry(refs);
    const pipeline = this.redis.pipeline();
    for (const [registry, indexes] of groups) pipeline.hmgetBuffer(this.keys.entries(registry), ...fieldsOf(refs, indexes));
    const replies = groups.length === 0 ? [] : ((await pipeline.exec()) ?? []);
    const out: Array<StoredEntry | null> = new Array(refs.length).fill(null);
    const missing: number[] = [];
    groups.forEach(([registry, indexes], g) => {
      const [err, values] = replies[g] ?? [null, []];
      if (err) throw err;
      indexes.forEach((i, j) => {
        const value = (values as Array<Buffer | null>)[j];
        const entry = value ? readStoredEntry(registry, value) : undefined;
        if (entry) out[i] = entry;
        else missing.push(i);
      });
    });
    if (missing.length > 0) await this.getLegacyEntries(refs, missing, out);
    return out;
  }

  /**
   * Fills `out[i]` for refs still stored in the previous format (a body hash and a rendered-prefix
   * hash), which an upgraded gateway serves until {@link CatalogWriter.migrateLegacyEntries} or a
   * write moves them. Costs a round trip only when an entry was not found in the current format.
   */
  private async getLegacyEntries(refs: readonly EntryRef[], indexes: readonly number[], out: Array<StoredEntry | null>): Promise<void> {
    const groups = groupByRegistry(refs, indexes);
    const pipeline = this.redis.pipeline();
    for (const [registry, group] of groups) {
      const fields = fieldsOf(refs, group);
      pipeline.hmgetBuffer(this.keys.legacyBodies(registry), ...fields);
      pipeline.hmgetBuffer(this.keys.legacyRendered(registry), ...fields);
    }
    const replies = (await pipeline.exec()) ?? [];
    groups.forEach(([, group], g) => {
      const [bErr, bodies] = replies[2 * g] ?? [null, []];
      const [mErr, prefixes] = replies[2 * g + 1] ?? [null, []];
      if (bErr) throw bErr;
      if (mErr) throw mErr;
      group.forEach((i, j) => {
        const body = (bodies as Array<Buffer | null>)[j];
        const prefix = (prefixes as Array<Buffer | null>)[j];
        if (body && prefix) out[i] = { body, metaPrefix: prefix };
      });
    });
  }

  /**
   * Waits (XREAD BLOCK, on this store's own connection) until the change stream has an event
   * after `afterId`, or `blockMs` passes. Returns the newest id then (`afterId` when none came).
   */
  async waitForChange(afterId: string, blockMs: number): Promise<string> {
    const got = (await this.redis.xread('COUNT', 1, 'BLOCK', blockMs, 'STREAMS', this.keys.changes, afterId)) as Array<[string, Array<[string, string[]]>]> | null;
    if (!got) return afterId;
    return this.headId();
  }

  /** Closes this store's connection (a store on a dedicated connection, such as a waiter's). */
  disconnect(): void {
    this.redis.disconnect();
  }

  /** The change stream position now: the last event id, its sequence number and commit time. */
  async changePosition(): Promise<{ id: string; seq: number; timeUs: number }> {
    const replies = (await this.redis.multi().get(this.keys.seq).xrevrange(this.keys.changes, '+', '-', 'COUNT', 1).exec()) ?? [];
    const [seqErr, seqRaw] = replies[0] ?? [null, null];
    const [xErr, last] = replies[1] ?? [null, []];
    if (seqErr) throw seqErr;
    if (xErr) throw xErr;
    const entries = last as Array<[string, string[]]>;
    const fields = entries[0]?.[1] ?? [];
    const t = fields.indexOf('t');
    return { id: entries[0]?.[0] ?? '0-0', seq: Number(seqRaw ?? 0), timeUs: t >= 0 ? Number(fields[t + 1]) : 0 };
  }

  /**
   * Change events after `afterId` (exclusive), oldest first, plus the current sequence number
   * (one round trip). A sequence lower than the reader's means Redis lost data (restart without
   * persistence, flush): the reader must reload.
   */
  async changesAfter(afterId: string, count: number): Promise<{ seq: number; events: ChangeEvent[] }> {
    const replies = (await this.redis.pipeline().xrange(this.keys.changes, `(${afterId}`, '+', 'COUNT', count).get(this.keys.seq).exec()) ?? [];
    const [xErr, entries] = replies[0] ?? [null, []];
    const [seqErr, seqRaw] = replies[1] ?? [null, null];
    if (xErr) throw xErr;
    if (seqErr) throw seqErr;
    const events = (entries as Array<[string, string[]]>).map(([id, fields]) => {
      const f: Record<string, string> = {};
      for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i] as string] = fields[i + 1] as string;
      return { id, seq: Number(f.seq), registry: f.reg ?? '', name: f.name ?? '', timeUs: Number(f.t ?? 0) };
    });
    return { seq: Number(seqRaw ?? 0), events };
  }
}
