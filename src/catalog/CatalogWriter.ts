import type { Redis } from 'ioredis';
import { parseMicros } from './clock.js';
import { WriteContentionError } from './errors.js';
import type { Keys } from './keys.js';
import { applyNamesArgs, defineCatalogCommands, type CatalogCommands, type CatalogPipeline, type NameWrite } from './luaCommands.js';
import { dropVersions, expiredVersions, mergeName, type NameMerge } from './merge.js';
import { FullSnapshot } from './FullSnapshot.js';
import { metaFromLegacyPrefix } from './storedEntry.js';
import { liveCount, nextStoredName, parseStoredName } from './storedName.js';
import type { IncomingEntry, StoredName, VersionRecord } from './types.js';

/** Limits the writer enforces (config `catalog`). */
export interface CatalogWriterOptions {
  /** Most live versions per name and registry; further new versions are left out and counted. */
  maxVersionsPerName: number;
  /** How long removed versions are kept as tombstones (ms). */
  tombstoneRetentionMs: number;
}

/** Result of writing a batch of names. */
export interface WriteResult {
  /** Names whose served data changed. */
  changedNames: number;
  /** Live versions now stored for the names written. */
  versions: number;
  /** Incoming versions left out because their name was at `maxVersionsPerName`. */
  overCap: number;
}

/** A mutation of one name's records, given what is stored (undefined = leave the name alone). */
type Plan = (name: string, current: VersionRecord[]) => NameMerge | undefined;

const MAX_CAS_ATTEMPTS = 8;
const BATCH = 500;
/** Names per script call: amortises the call and the clock, yet keeps each call short (Redis runs nothing else meanwhile). */
const NAMES_PER_CALL = 16;

/**
 * The only writer of the catalogue (DESIGN §3 invariants live here and in the script it runs):
 * every change to a name — its records, bodies, rendered `_meta`, counters, the time the registry
 * started holding it, removed-version tombstones and their expiry, and the change event — is one
 * compare-and-set stamped by the catalogue's clock. Sources (sync, files, publish) describe what
 * they saw; they never touch a Redis key.
 */
export class CatalogWriter {
  private readonly redis: Redis & CatalogCommands;

  constructor(
    redis: Redis,
    readonly keys: Keys,
    private readonly options: CatalogWriterOptions,
    private readonly clock: () => number = Date.now,
  ) {
    this.redis = defineCatalogCommands(redis);
  }

  /** A writer with the limits of config `catalog`. */
  static forConfig(redis: Redis, keys: Keys, catalog: { maxVersionsPerName: number; tombstoneRetention: number }): CatalogWriter {
    return new CatalogWriter(redis, keys, { maxVersionsPerName: catalog.maxVersionsPerName, tombstoneRetentionMs: catalog.tombstoneRetention });
  }

  /** Most live versions one name may hold in one registry (`catalog.maxVersionsPerName`). */
  get maxVersionsPerName(): number {
    return this.options.maxVersionsPerName;
  }

  /** Adds or updates versions (an incremental sync page): other versions stay. */
  upsert(registry: string, groups: ReadonlyMap<string, readonly IncomingEntry[]>): Promise<WriteResult> {
    const max = this.options.maxVersionsPerName;
    return this.apply(registry, [...groups.keys()], (name, current) => mergeName(current, groups.get(name) ?? [], 'upsert', undefined, max));
  }

  /**
   * Makes each name's live versions exactly the incoming ones (a file registry's reload); versions
   * no longer listed become removed tombstones.
   */
  replace(registry: string, groups: ReadonlyMap<string, readonly IncomingEntry[]>): Promise<WriteResult> {
    const max = this.options.maxVersionsPerName;
    return this.apply(registry, [...groups.keys()], (name, current) => mergeName(current, groups.get(name) ?? [], 'replace', undefined, max));
  }

  /**
   * Removes versions (`null` = every version of the name): they become tombstones served as
   * `deleted` until the retention ends, and isLatest is recomputed. Returns how many names changed.
   */
  async remove(registry: string, targets: ReadonlyMap<string, ReadonlySet<string> | null>): Promise<number> {
    const result = await this.apply(registry, [...targets.keys()], (name, current) =>
      dropVersions(current, targets.get(name) ?? new Set(current.map((r) => r.version))),
    );
    return result.changedNames;
  }

  /**
   * Read-modify-write of one name under compare-and-set: `mutate` sees the current records and
   * returns what to store (or throws a domain error to refuse). Retried when another writer changed
   * the name in between, so two concurrent publishes of one version cannot both win.
   * @throws WriteContentionError when other writers kept winning.
   */
  async update(registry: string, name: string, mutate: (current: VersionRecord[]) => NameMerge): Promise<NameMerge> {
    let outcome: NameMerge | undefined;
    await this.apply(registry, [name], (_, current) => (outcome = mutate(current)));
    return outcome as NameMerge;
  }

  /** Starts a full walk of a registry: mark what the source still has, then sweep the rest. */
  snapshot(registry: string, runId: string): FullSnapshot {
    return new FullSnapshot(this.redis, this.keys, registry, runId, (targets) => this.remove(registry, targets));
  }

  /** Forgets expired tombstones of every name of a registry. Returns how many names changed. */
  async pruneExpired(registry: string): Promise<number> {
    const cutoff = this.cutoffUs();
    const stale: string[] = [];
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.keys.meta(registry), cursor, 'COUNT', 1000);
      cursor = next;
      for (let i = 0; i + 1 < flat.length; i += 2) {
        if (expiredVersions(parseStoredName(flat[i + 1]).v, cutoff, parseMicros).length > 0) stale.push(flat[i] as string);
      }
    } while (cursor !== '0');
    const result = await this.apply(registry, stale, () => ({ records: [], bodies: new Map(), removed: [], changed: false }));
    return result.changedNames;
  }

  /**
   * Moves a registry's entries stored in the previous format (bodies and rendered `_meta` in two
   * hashes) to the current one (storedEntry.ts), in batches; readers serve either meanwhile.
   * Run by the worker at start; idempotent, and cheap when there is nothing to move.
   * @returns how many entries moved
   */
  async migrateLegacyEntries(registry: string): Promise<number> {
    const rendered = this.keys.legacyRendered(registry);
    const bodies = this.keys.legacyBodies(registry);
    let moved = 0;
    for (let pass = 0; pass < MAX_CAS_ATTEMPTS && (await this.redis.exists(rendered)) > 0; pass++) {
      let cursor = '0';
      do {
        const [next, flat] = await this.redis.hscan(rendered, cursor, 'COUNT', 500);
        cursor = next;
        const triples: string[] = [];
        for (let i = 0; i + 1 < flat.length; i += 2) {
          const meta = metaFromLegacyPrefix(flat[i + 1] as string);
          // A prefix of an unknown shape is dropped with its body only when the name is rewritten.
          if (meta !== undefined) triples.push(flat[i] as string, flat[i + 1] as string, meta);
        }
        if (triples.length > 0) moved += await this.redis.migrateEntries(this.keys.entries(registry), bodies, rendered, ...triples);
      } while (cursor !== '0');
    }
    // Bodies without a rendered prefix were never served; they go with the last prefix.
    if ((await this.redis.exists(rendered)) === 0) await this.redis.del(bodies);
    return moved;
  }

  private cutoffUs(): number {
    return (this.clock() - this.options.tombstoneRetentionMs) * 1000;
  }

  /**
   * Applies `plan` to names in batches, under compare-and-set with retries. Expired tombstones of
   * every name written are forgotten on the way (a write is the cheapest time to do it).
   */
  private async apply(registry: string, names: readonly string[], plan: Plan): Promise<WriteResult> {
    const result: WriteResult = { changedNames: 0, versions: 0, overCap: 0 };
    for (let start = 0; start < names.length; start += BATCH) {
      let pending = names.slice(start, start + BATCH);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= MAX_CAS_ATTEMPTS) throw new WriteContentionError(`Other writers kept changing ${pending.length} server name(s) in "${registry}"; retry the request.`);
        pending = await this.attempt(registry, pending, plan, result);
      }
    }
    return result;
  }

  /** One compare-and-set round; returns the names that lost to a concurrent writer. */
  private async attempt(registry: string, names: string[], plan: Plan, result: WriteResult): Promise<string[]> {
    const raws = await this.redis.hmget(this.keys.meta(registry), ...names);
    const cutoff = this.cutoffUs();
    const writes: NameWrite[] = [];
    const attempted: number[] = [];
    names.forEach((name, i) => {
      const raw = raws[i] ?? null;
      const before = parseStoredName(raw);
      const merge = plan(name, before.v);
      if (merge?.overCap) result.overCap += merge.overCap;
      const write = merge ? this.expire(merge, cutoff) : this.expire({ records: before.v, bodies: new Map(), removed: [], changed: false }, cutoff);
      if (!write.changed) {
        result.versions += liveCount(write.records);
        return;
      }
      const after: StoredName = nextStoredName(before, write.records);
      writes.push({ registry, name, expectedRaw: raw, before, after, bodies: write.bodies, removed: write.removed });
      attempted.push(liveCount(after.v));
    });
    if (writes.length === 0) return [];
    const pipeline = this.redis.pipeline() as CatalogPipeline;
    for (let start = 0; start < writes.length; start += NAMES_PER_CALL) void pipeline.applyNames(...applyNamesArgs(this.keys, registry, writes.slice(start, start + NAMES_PER_CALL)));
    const replies = (await pipeline.exec()) ?? [];
    const retry: string[] = [];
    replies.forEach(([err, outcomes], call) => {
      if (err) throw err;
      (outcomes as Array<string | 0>).forEach((applied, j) => {
        const k = call * NAMES_PER_CALL + j;
        if (applied === 0) retry.push((writes[k] as NameWrite).name);
        else {
          result.changedNames++;
          result.versions += attempted[k] as number;
        }
      });
    });
    return retry;
  }

  /** Drops tombstones past the retention from a merge's records (their bodies go too). */
  private expire(merge: NameMerge, cutoffUs: number): NameMerge {
    const expired = new Set(expiredVersions(merge.records, cutoffUs, parseMicros));
    if (expired.size === 0) return merge;
    return {
      ...merge,
      records: merge.records.filter((r) => !expired.has(r.version)),
      removed: [...merge.removed, ...expired],
      changed: true,
    };
  }
}
