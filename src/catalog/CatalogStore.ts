import type { Redis } from 'ioredis';
import { bodyField, type Keys } from './keys.js';
import { dropVersions, mergeName, type MergeMode, type NameMerge } from './merge.js';
import { renderMetaPrefix } from './render.js';
import type { IncomingEntry, VersionRecord } from './types.js';

/**
 * Compare-and-set of one name's records, bodies, rendered meta and a change event, atomically.
 * KEYS: meta, bodies, seq, changes, counts, rendered, holders. ARGV: name, expectPresent(0|1),
 * expected, newMeta('' = delete), registry, maxlen, versionDelta, nameDelta, nowMs, then for bodies
 * and for rendered meta in turn: nSet, field/value pairs..., nDel, fields...
 * Returns 1 when applied, 0 when the stored records differ from `expected` (a concurrent writer).
 */
const APPLY_NAME_LUA = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[2] == '0' then
  if cur then return 0 end
elseif cur ~= ARGV[3] then
  return 0
end
if ARGV[4] == '' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[4]) end
if ARGV[7] ~= '0' then redis.call('HINCRBY', KEYS[5], ARGV[5] .. ':versions', ARGV[7]) end
if ARGV[8] ~= '0' then
  redis.call('HINCRBY', KEYS[5], ARGV[5] .. ':names', ARGV[8])
  -- The set of registries holding the name changed: record it, with the time when other holders
  -- are involved (the aggregated view's owner may have changed for some callers).
  local raw = redis.call('HGET', KEYS[7], ARGV[1])
  local o = raw and cjson.decode(raw) or { r = {}, t = 0 }
  local regs = {}
  for _, r in ipairs(o.r) do if r ~= ARGV[5] then table.insert(regs, r) end end
  local others = #regs
  if ARGV[8] == '1' then table.insert(regs, ARGV[5]) end
  if #regs == 0 then
    redis.call('HDEL', KEYS[7], ARGV[1])
  else
    local t = o.t
    if others > 0 then t = tonumber(ARGV[9]) end
    redis.call('HSET', KEYS[7], ARGV[1], cjson.encode({ r = regs, t = t }))
  end
end
local i = 10
for _, key in ipairs({KEYS[2], KEYS[6]}) do
  local nset = tonumber(ARGV[i])
  for j = 1, nset do
    redis.call('HSET', key, ARGV[i + 2*j - 1], ARGV[i + 2*j])
  end
  i = i + 2*nset + 1
  local ndel = tonumber(ARGV[i])
  for j = 1, ndel do
    redis.call('HDEL', key, ARGV[i + j])
  end
  i = i + ndel + 1
end
local seq = redis.call('INCR', KEYS[3])
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[6], '*', 'seq', seq, 'reg', ARGV[5], 'name', ARGV[1])
return 1
`;

/** How many change events the stream keeps; replicas further behind than this reload fully. */
const CHANGES_MAXLEN = 200_000;
const MAX_CAS_ATTEMPTS = 8;

type WithApplyName = Redis & {
  applyName(meta: string, bodies: string, seq: string, changes: string, counts: string, rendered: string, holders: string, ...args: (string | number)[]): Promise<number>;
};

/** Result of writing a batch of names. */
export interface WriteResult {
  /** Names whose served data changed. */
  changedNames: number;
  /** Versions now stored for the names written. */
  versions: number;
}

/** A body to fetch: one version of one name in one registry. */
export interface BodyRef {
  registry: string;
  name: string;
  version: string;
  /** Served metadata to override (a synthetic tombstone): rendered from the record, not the cache. */
  override?: Partial<VersionRecord>;
}

/**
 * The Redis-backed index of entries `(registry, name, version)`. All writes go through an atomic
 * per-name compare-and-set that also appends to the change stream, so readers never see a
 * half-written name and replicas' read models can follow every change.
 */
export class CatalogStore {
  private readonly redis: WithApplyName;

  constructor(
    redis: Redis,
    readonly keys: Keys,
  ) {
    redis.defineCommand('applyName', { numberOfKeys: 7, lua: APPLY_NAME_LUA });
    this.redis = redis as WithApplyName;
  }

  /** Reads the stored records of several names (missing names map to []). */
  async readNames(registry: string, names: readonly string[]): Promise<Map<string, { raw: string | null; records: VersionRecord[] }>> {
    const out = new Map<string, { raw: string | null; records: VersionRecord[] }>();
    if (names.length === 0) return out;
    const values = await this.redis.hmget(this.keys.meta(registry), ...names);
    names.forEach((name, i) => {
      const raw = values[i] ?? null;
      out.set(name, { raw, records: raw ? (JSON.parse(raw) as VersionRecord[]) : [] });
    });
    return out;
  }

  /**
   * Merges incoming entries into the index, name by name, retrying names that a concurrent writer
   * touched in between. With `mode: 'replace'` each name's incoming set is its complete set of versions.
   * @param groups incoming entries grouped by name
   * @param now the change time to stamp on changed records
   */
  async writeNames(registry: string, groups: ReadonlyMap<string, IncomingEntry[]>, mode: MergeMode, now = new Date().toISOString()): Promise<WriteResult> {
    let pending = [...groups.keys()];
    const result: WriteResult = { changedNames: 0, versions: 0 };
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= MAX_CAS_ATTEMPTS) throw new Error(`concurrent writers kept changing ${pending.length} name(s) in ${registry}`);
      const current = await this.readNames(registry, pending);
      const pipeline = this.redis.pipeline() as unknown as WithApplyName & { exec(): Promise<[Error | null, unknown][] | null> };
      const attempted: Array<{ name: string; versions: number }> = [];
      for (const name of pending) {
        const state = current.get(name) ?? { raw: null, records: [] };
        const merge = mergeName(state.records, groups.get(name) ?? [], mode, now);
        if (!merge.changed) {
          result.versions += merge.records.length;
          continue;
        }
        attempted.push({ name, versions: merge.records.length });
        void pipeline.applyName(...this.applyArgs(registry, name, state.raw, merge.records, merge.bodies, merge.removed, state.records.length));
      }
      const replies = attempted.length > 0 ? await pipeline.exec() : [];
      const retry: string[] = [];
      (replies ?? []).forEach(([err, applied], i) => {
        if (err) throw err;
        const item = attempted[i] as { name: string; versions: number };
        if (applied === 1) {
          result.changedNames++;
          result.versions += item.versions;
        } else retry.push(item.name);
      });
      pending = retry;
    }
    return result;
  }

  /**
   * Read-modify-write of one name under compare-and-set: `mutate` sees the current records and
   * returns what to store (or throws a domain error to refuse). Retried when another writer changed
   * the name in between, so two concurrent publishes of one version cannot both win.
   */
  async updateName(registry: string, name: string, mutate: (current: VersionRecord[]) => NameMerge): Promise<NameMerge> {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const state = (await this.readNames(registry, [name])).get(name) ?? { raw: null, records: [] };
      const merge = mutate(state.records);
      if (!merge.changed) return merge;
      const applied = await this.redis.applyName(...this.applyArgs(registry, name, state.raw, merge.records, merge.bodies, merge.removed, state.records.length));
      if (applied === 1) return merge;
    }
    throw new Error(`concurrent writers kept changing ${name} in ${registry}`);
  }

  /** Removes names (every version) from a registry. Returns how many names were removed. */
  async removeNames(registry: string, names: readonly string[], now = new Date().toISOString()): Promise<number> {
    return this.removeVersions(registry, new Map(names.map((n) => [n, null])), now);
  }

  /**
   * Removes versions (`null` = every version of the name), recomputing isLatest of what remains.
   * Returns how many names changed.
   */
  async removeVersions(registry: string, targets: ReadonlyMap<string, ReadonlySet<string> | null>, now = new Date().toISOString()): Promise<number> {
    let changed = 0;
    let pending = [...targets.keys()];
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= MAX_CAS_ATTEMPTS) throw new Error(`concurrent writers kept changing ${pending.length} name(s) in ${registry}`);
      const current = await this.readNames(registry, pending);
      const pipeline = this.redis.pipeline() as unknown as WithApplyName & { exec(): Promise<[Error | null, unknown][] | null> };
      const attempted: string[] = [];
      for (const name of pending) {
        const state = current.get(name);
        if (!state?.raw) continue;
        const versions = targets.get(name) ?? new Set(state.records.map((r) => r.version));
        const merge = dropVersions(state.records, versions, now);
        if (!merge.changed) continue;
        attempted.push(name);
        void pipeline.applyName(...this.applyArgs(registry, name, state.raw, merge.records, merge.bodies, merge.removed, state.records.length));
      }
      const replies = attempted.length > 0 ? await pipeline.exec() : [];
      const retry: string[] = [];
      (replies ?? []).forEach(([err, applied], i) => {
        if (err) throw err;
        if (applied === 1) changed++;
        else retry.push(attempted[i] as string);
      });
      pending = retry;
    }
    return changed;
  }

  private applyArgs(
    registry: string,
    name: string,
    expected: string | null,
    records: VersionRecord[],
    bodies: ReadonlyMap<string, string>,
    removed: readonly string[],
    previousCount: number,
  ): [string, string, string, string, string, string, string, ...(string | number)[]] {
    const sets: string[] = [];
    for (const [version, body] of bodies) sets.push(bodyField(name, version), body);
    const dels = removed.map((v) => bodyField(name, v));
    // Every record of the name is re-rendered: cheap (a name has a few versions) and never stale.
    const rendered: string[] = [];
    for (const r of records) rendered.push(bodyField(name, r.version), renderMetaPrefix(registry, r));
    return [
      this.keys.meta(registry),
      this.keys.bodies(registry),
      this.keys.seq,
      this.keys.changes,
      this.keys.counts,
      this.keys.rendered(registry),
      this.keys.holders,
      name,
      expected === null ? '0' : '1',
      expected ?? '',
      records.length > 0 ? JSON.stringify(records) : '',
      registry,
      CHANGES_MAXLEN,
      records.length - previousCount,
      (records.length > 0 ? 1 : 0) - (previousCount > 0 ? 1 : 0),
      Date.now(),
      bodies.size,
      ...sets,
      dels.length,
      ...dels,
      records.length,
      ...rendered,
      dels.length,
      ...dels,
    ];
  }

  /** Iterates every stored name of a registry with its records, in batches (HSCAN). */
  async *scanRegistry(registry: string, batch = 1000): AsyncGenerator<Array<[string, VersionRecord[]]>> {
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.keys.meta(registry), cursor, 'COUNT', batch);
      cursor = next;
      const chunk: Array<[string, VersionRecord[]]> = [];
      for (let i = 0; i + 1 < flat.length; i += 2) chunk.push([flat[i] as string, JSON.parse(flat[i + 1] as string) as VersionRecord[]]);
      if (chunk.length > 0) yield chunk;
    } while (cursor !== '0');
  }

  /** Names and versions stored for each registry (maintained atomically by every write). */
  async counts(registries: readonly string[]): Promise<Map<string, { names: number; versions: number }>> {
    const out = new Map<string, { names: number; versions: number }>();
    if (registries.length === 0) return out;
    const fields = registries.flatMap((r) => [`${r}:names`, `${r}:versions`]);
    const values = await this.redis.hmget(this.keys.counts, ...fields);
    registries.forEach((r, i) => out.set(r, { names: Number(values[2 * i] ?? 0), versions: Number(values[2 * i + 1] ?? 0) }));
    return out;
  }

  /**
   * Overwrites a registry's counters with totals a single writer just established (a file load or
   * a full-sync sweep), repairing any drift.
   */
  async setCounts(registry: string, names: number, versions: number): Promise<void> {
    await this.redis.hset(this.keys.counts, `${registry}:names`, names, `${registry}:versions`, versions);
  }

  /** Lists every stored name of a registry. */
  async allNames(registry: string): Promise<string[]> {
    const names: string[] = [];
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.keys.meta(registry), cursor, 'COUNT', 2000);
      cursor = next;
      for (let i = 0; i < flat.length; i += 2) names.push(flat[i] as string);
    } while (cursor !== '0');
    return names;
  }

  /**
   * Fetches what is served for each ref — the pre-serialised server.json body and the pre-rendered
   * `_meta` prefix — in one pipelined round trip. A ref whose body is gone (a concurrent delete)
   * maps to `null`. Entries written before meta was pre-rendered are rendered from their records.
   */
  async getEntries(refs: readonly BodyRef[]): Promise<Array<{ body: Buffer; metaPrefix: Buffer } | null>> {
    if (refs.length === 0) return [];
    const byRegistry = new Map<string, number[]>();
    refs.forEach((ref, i) => {
      const list = byRegistry.get(ref.registry);
      if (list) list.push(i);
      else byRegistry.set(ref.registry, [i]);
    });
    const pipeline = this.redis.pipeline();
    const groups = [...byRegistry];
    for (const [registry, indexes] of groups) {
      const fields = indexes.map((i) => bodyField((refs[i] as BodyRef).name, (refs[i] as BodyRef).version));
      pipeline.hmgetBuffer(this.keys.bodies(registry), ...fields);
      pipeline.hmgetBuffer(this.keys.rendered(registry), ...fields);
    }
    const replies = (await pipeline.exec()) ?? [];
    const out: Array<{ body: Buffer; metaPrefix: Buffer } | null> = new Array(refs.length).fill(null);
    const missing: number[] = [];
    groups.forEach(([, indexes], k) => {
      const [bErr, bodies] = replies[2 * k] ?? [null, []];
      const [mErr, prefixes] = replies[2 * k + 1] ?? [null, []];
      if (bErr) throw bErr;
      if (mErr) throw mErr;
      indexes.forEach((i, j) => {
        const body = (bodies as Array<Buffer | null>)[j];
        const prefix = (prefixes as Array<Buffer | null>)[j];
        if (!body) return;
        out[i] = { body, metaPrefix: prefix ?? Buffer.alloc(0) };
        if (!prefix || (refs[i] as BodyRef).override) missing.push(i);
      });
    });
    // Rendered from the records instead: one read per registry for all such refs.
    const byReg = new Map<string, number[]>();
    for (const i of missing) {
      const registry = (refs[i] as BodyRef).registry;
      byReg.set(registry, [...(byReg.get(registry) ?? []), i]);
    }
    for (const [registry, indexes] of byReg) {
      const states = await this.readNames(registry, [...new Set(indexes.map((i) => (refs[i] as BodyRef).name))]);
      for (const i of indexes) {
        const ref = refs[i] as BodyRef;
        const record = states.get(ref.name)?.records.find((r) => r.version === ref.version);
        out[i] = record ? { body: (out[i] as { body: Buffer }).body, metaPrefix: Buffer.from(renderMetaPrefix(registry, { ...record, ...ref.override })) } : null;
      }
    }
    return out;
  }

  /**
   * Rebuilds the per-name holder records when they are missing (data written before they existed,
   * or a restored backup). Never overwrites a record a live writer created meanwhile. Returns how
   * many names it recorded.
   */
  async backfillHolders(registries: readonly string[]): Promise<number> {
    if ((await this.redis.exists(this.keys.holders)) === 1) return 0;
    const holders = new Map<string, string[]>();
    for (const registry of registries) {
      for (const name of await this.allNames(registry)) {
        const list = holders.get(name);
        if (list) list.push(registry);
        else holders.set(name, [registry]);
      }
    }
    let pipeline = this.redis.pipeline();
    let queued = 0;
    for (const [name, regs] of holders) {
      pipeline.hsetnx(this.keys.holders, name, JSON.stringify({ r: regs, t: 0 }));
      if (++queued % 1000 === 0) {
        await pipeline.exec();
        pipeline = this.redis.pipeline();
      }
    }
    await pipeline.exec();
    return holders.size;
  }

  /** When the set of registries holding each name last changed while other holders were involved. */
  async *scanHolderChanges(batch = 2000): AsyncGenerator<Array<[string, number]>> {
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.keys.holders, cursor, 'COUNT', batch);
      cursor = next;
      const chunk: Array<[string, number]> = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const t = (JSON.parse(flat[i + 1] as string) as { t?: number }).t ?? 0;
        if (t > 0) chunk.push([flat[i] as string, t]);
      }
      yield chunk;
    } while (cursor !== '0');
  }

  /** Holder-change times of some names (0 when never relevant). */
  async holderChanges(names: readonly string[]): Promise<number[]> {
    if (names.length === 0) return [];
    const values = await this.redis.hmget(this.keys.holders, ...names);
    return values.map((v) => (v ? ((JSON.parse(v) as { t?: number }).t ?? 0) : 0));
  }

  /** The change stream position now: the last event id and its sequence number. */
  async changePosition(): Promise<{ id: string; seq: number }> {
    const replies = (await this.redis.multi().get(this.keys.seq).xrevrange(this.keys.changes, '+', '-', 'COUNT', 1).exec()) ?? [];
    const [seqErr, seqRaw] = replies[0] ?? [null, null];
    const [xErr, last] = replies[1] ?? [null, []];
    if (seqErr) throw seqErr;
    if (xErr) throw xErr;
    const entries = last as Array<[string, string[]]>;
    return { id: entries[0]?.[0] ?? '0-0', seq: Number(seqRaw ?? 0) };
  }

  /**
   * Change events after `afterId` (exclusive), oldest first, plus the current sequence number
   * (one round trip). A sequence lower than the reader's means Redis lost data (restart without
   * persistence, flush): the reader must reload.
   */
  async changesAfter(afterId: string, count: number): Promise<{ seq: number; events: Array<{ id: string; seq: number; registry: string; name: string }> }> {
    const replies = (await this.redis.pipeline().xrange(this.keys.changes, `(${afterId}`, '+', 'COUNT', count).get(this.keys.seq).exec()) ?? [];
    const [xErr, entries] = replies[0] ?? [null, []];
    const [seqErr, seqRaw] = replies[1] ?? [null, null];
    if (xErr) throw xErr;
    if (seqErr) throw seqErr;
    const events = (entries as Array<[string, string[]]>).map(([id, fields]) => {
      const f: Record<string, string> = {};
      for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i] as string] = fields[i + 1] as string;
      return { id, seq: Number(f.seq), registry: f.reg ?? '', name: f.name ?? '' };
    });
    return { seq: Number(seqRaw ?? 0), events };
  }
}
