import type { Redis } from 'ioredis';
import { bodyField, type Keys } from './keys.js';
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
   * pair per registry). A ref whose body is gone (a concurrent write) maps to `null`.
   */
  async getEntries(refs: readonly EntryRef[]): Promise<Array<StoredEntry | null>> {
    const byRegistry = new Map<string, number[]>();
    refs.forEach((ref, i) => {
      const list = byRegistry.get(ref.registry);
      if (list) list.push(i);
      else byRegistry.set(ref.registry, [i]);
    });
    const pipeline = this.redis.pipeline();
    const groups = [...byRegistry];
    for (const [registry, indexes] of groups) {
      const fields = indexes.map((i) => bodyField((refs[i] as EntryRef).name, (refs[i] as EntryRef).version));
      pipeline.hmgetBuffer(this.keys.bodies(registry), ...fields);
      pipeline.hmgetBuffer(this.keys.rendered(registry), ...fields);
    }
    const replies = groups.length === 0 ? [] : ((await pipeline.exec()) ?? []);
    const out: Array<StoredEntry | null> = new Array(refs.length).fill(null);
    groups.forEach(([, indexes], g) => {
      const [bErr, bodies] = replies[2 * g] ?? [null, []];
      const [mErr, prefixes] = replies[1 + 2 * g] ?? [null, []];
      if (bErr) throw bErr;
      if (mErr) throw mErr;
      indexes.forEach((i, j) => {
        const body = (bodies as Array<Buffer | null>)[j];
        const prefix = (prefixes as Array<Buffer | null>)[j];
        if (body && prefix) out[i] = { body, metaPrefix: prefix };
      });
    });
    return out;
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
