import type { Redis } from 'ioredis';
import type { Keys } from '../catalog/keys.js';
import type { RegistryConfig } from '../config/schema.js';

/** Phase of a registry's synchronisation. */
export type SyncPhase = 'pending' | 'syncing' | 'complete' | 'failed';

/** Per-registry sync state as served by `GET /v0.1/registries` (a superset of ToolHive's shape). */
export interface SyncStatus {
  phase: SyncPhase;
  /** When the last run started. */
  lastAttempt?: string | null;
  /** When the last successful run finished. */
  lastSyncTime?: string | null;
  /** Consecutive failed runs (0 after a success). */
  attemptCount: number;
  /** Server names held (from the index's counters; not stored in the status record). */
  serverCount: number;
  /** Versions held (idem). */
  versionCount: number;
  /** Human-readable outcome or failure reason. */
  message?: string | null;
  /** `full`, `incremental` or `file` (a file reload). */
  lastRunMode?: string;
  /** Names whose served data changed in the last run. */
  changedCount?: number;
  /** Entries skipped as invalid in the last run. */
  skippedCount?: number;
  /** Wall time of the last run, ms. */
  durationMs?: number;
  [extra: string]: unknown;
}

/** Registry bookkeeping kept in Redis. */
export interface RegistryRecord {
  name: string;
  type: RegistryConfig['type'];
  createdAt: string;
  updatedAt: string;
}

/** Reads and writes registry records and their sync status. */
export class SyncStatusStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  /**
   * Records the configured registries (createdAt kept from the first time a registry was seen;
   * updatedAt moves when its type changes).
   */
  async reconcile(registries: readonly RegistryConfig[], now = new Date().toISOString()): Promise<void> {
    if (registries.length === 0) return;
    const names = registries.map((r) => r.name);
    const current = await this.redis.hmget(this.keys.registries, ...names);
    const updates: string[] = [];
    registries.forEach((r, i) => {
      const prev = current[i] ? (JSON.parse(current[i] as string) as RegistryRecord) : undefined;
      if (prev && prev.type === r.type) return;
      const record: RegistryRecord = { name: r.name, type: r.type, createdAt: prev?.createdAt ?? now, updatedAt: now };
      updates.push(r.name, JSON.stringify(record));
    });
    if (updates.length > 0) await this.redis.hset(this.keys.registries, ...updates);
  }

  /** Registry records by name. */
  async records(names: readonly string[]): Promise<Map<string, RegistryRecord>> {
    const out = new Map<string, RegistryRecord>();
    if (names.length === 0) return out;
    const values = await this.redis.hmget(this.keys.registries, ...names);
    names.forEach((n, i) => {
      if (values[i]) out.set(n, JSON.parse(values[i] as string) as RegistryRecord);
    });
    return out;
  }

  /**
   * Current status of each named registry (absent ones are `pending`), with `serverCount` and
   * `versionCount` read from the index's own counters, so they are exact at any moment.
   */
  async statuses(names: readonly string[]): Promise<Map<string, SyncStatus>> {
    const out = new Map<string, SyncStatus>();
    if (names.length === 0) return out;
    const countFields = names.flatMap((n) => [`${n}:names`, `${n}:versions`]);
    const replies = (await this.redis.pipeline().hmget(this.keys.status, ...names).hmget(this.keys.counts, ...countFields).exec()) ?? [];
    for (const [err] of replies) if (err) throw err;
    const values = (replies[0]?.[1] ?? []) as Array<string | null>;
    const counts = (replies[1]?.[1] ?? []) as Array<string | null>;
    names.forEach((n, i) => {
      const stored = values[i] ? (JSON.parse(values[i] as string) as SyncStatus) : { phase: 'pending' as const, attemptCount: 0 };
      // The documented keys are always present; null means "not yet".
      out.set(n, { lastAttempt: null, lastSyncTime: null, message: null, ...stored, serverCount: Number(counts[2 * i] ?? 0), versionCount: Number(counts[2 * i + 1] ?? 0) });
    });
    return out;
  }

  /** Current status of one registry. */
  async get(name: string): Promise<SyncStatus> {
    return (await this.statuses([name])).get(name) as SyncStatus;
  }

  /** Applies a partial update to a registry's status (read-modify-write; one writer per registry). */
  async update(name: string, patch: Partial<SyncStatus>): Promise<SyncStatus> {
    const current = await this.get(name);
    const next: SyncStatus = { ...current, ...patch };
    for (const key of Object.keys(next)) if (next[key] === undefined) delete next[key];
    const { serverCount: _s, versionCount: _v, ...stored } = next;
    await this.redis.hset(this.keys.status, name, JSON.stringify(stored));
    return next;
  }

}
