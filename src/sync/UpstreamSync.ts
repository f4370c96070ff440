import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { CatalogWriter } from '../catalog/CatalogWriter.js';
import type { FullSnapshot } from '../catalog/FullSnapshot.js';
import type { UpstreamRegistryConfig } from '../config/schema.js';
import { UpstreamError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { groupByName, parseItems, type SkippedEntry } from './entries.js';
import { describeSkipped } from './FileRegistrySource.js';
import { withLock } from './lock.js';
import { compileNameFilter, type NameFilter } from './nameFilter.js';
import type { SyncStatus, SyncStatusStore } from './SyncStatusStore.js';
import { UpdatedSinceRejected, UpstreamClient, type UpstreamClientOptions, type UpstreamPage } from './UpstreamClient.js';

/** Progress of a running sync, reported after every page. */
export interface SyncProgress {
  mode: 'full' | 'incremental';
  pages: number;
  entries: number;
  changed: number;
  skipped: number;
  startedAt: number;
}

/** Options of one run. */
export interface SyncRunOptions {
  /** Force a full walk (else full only when due, first, or the upstream rejects `updated_since`). */
  full?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: SyncProgress) => void;
  /** Lock owner token (the job id), so a retried job can take over after a crash. */
  token?: string;
}

/** Dependencies of {@link UpstreamSync}. */
export interface UpstreamSyncDeps {
  redis: Redis;
  writer: CatalogWriter;
  status: SyncStatusStore;
  logger: Logger;
  client?: UpstreamClientOptions;
  env?: NodeJS.ProcessEnv;
}

const LOCK_TTL_MS = 60_000;

interface WalkResult {
  pages: number;
  entries: number;
  changed: number;
  removed: number;
  skipped: number;
  firstSkipped?: SkippedEntry;
}

/**
 * Synchronises one upstream registry into the index (DESIGN §3): the first run and every
 * `fullInterval` walk everything and then sweep entries that vanished; other runs ask only for
 * `updated_since=<watermark>` (the start of the last successful walk minus a safety margin).
 * Pages are validated, filtered and written as they arrive, so memory stays flat whatever the
 * upstream's size. A failed run removes nothing and keeps the watermark; the status says why.
 */
export class UpstreamSync {
  private readonly client: UpstreamClient;
  private readonly keep: NameFilter;

  constructor(
    readonly config: UpstreamRegistryConfig,
    private readonly deps: UpstreamSyncDeps,
  ) {
    const env = deps.env ?? process.env;
    const token = config.auth ? env[config.auth.tokenEnv] : undefined;
    this.client = new UpstreamClient(config, { ...deps.client, ...(token ? { token } : {}) });
    this.keep = compileNameFilter(config.filter);
  }

  /**
   * Runs one sync under the registry's fleet-wide lock.
   * @returns the resulting status, or undefined when another worker is syncing this registry.
   */
  async run(options: SyncRunOptions = {}): Promise<SyncStatus | undefined> {
    const key = this.deps.writer.keys.lock(`sync:${this.config.name}`);
    const lock = { ttlMs: LOCK_TTL_MS, ...(options.token ? { token: options.token } : {}) };
    const result = await withLock(this.deps.redis, key, lock, (lost) => {
      const signal = options.signal ? AbortSignal.any([options.signal, lost]) : lost;
      return this.runLocked({ ...options, signal });
    });
    return result.acquired ? result.value : undefined;
  }

  private async runLocked(options: SyncRunOptions & { signal: AbortSignal }): Promise<SyncStatus> {
    const { status, logger } = this.deps;
    const name = this.config.name;
    const prev = await status.get(name);
    const startedAt = Date.now();
    const lastFull = typeof prev.lastFullSyncTime === 'string' ? Date.parse(prev.lastFullSyncTime) : Number.NaN;
    const fullDue = Number.isNaN(lastFull) || startedAt - lastFull >= this.config.sync.fullInterval;
    const watermark = typeof prev.watermark === 'string' ? prev.watermark : undefined;
    // A rejection of updated_since is remembered for one fullInterval, then tried again.
    const rejectedAt = typeof prev.updatedSinceRejectedAt === 'string' ? Date.parse(prev.updatedSinceRejectedAt) : Number.NaN;
    const skipIncremental = prev.updatedSinceSupported === false && !(startedAt - rejectedAt >= this.config.sync.fullInterval);
    let mode: 'full' | 'incremental' = options.full || !watermark || fullDue || skipIncremental ? 'full' : 'incremental';
    await status.update(name, { phase: 'syncing', lastAttempt: new Date(startedAt).toISOString(), lastRunMode: mode, message: `${mode} sync in progress` });

    try {
      let walk: WalkResult;
      try {
        walk = await this.walk(mode, watermark, startedAt, options);
      } catch (err) {
        if (!(err instanceof UpdatedSinceRejected)) throw err;
        logger.warn('upstream rejects updated_since; falling back to full syncs', { registry: name, status: err.upstreamStatus });
        await status.update(name, { updatedSinceSupported: false, updatedSinceRejectedAt: new Date().toISOString() });
        mode = 'full';
        walk = await this.walk(mode, undefined, startedAt, options);
      }
      const finished = Date.now();
      const patch: Partial<SyncStatus> = {
        phase: 'complete',
        lastSyncTime: new Date(finished).toISOString(),
        attemptCount: 0,
        lastRunMode: mode,
        watermark: new Date(startedAt - this.config.sync.safetyMargin).toISOString(),
        pages: walk.pages,
        entriesSeen: walk.entries,
        changedCount: walk.changed,
        removedCount: walk.removed,
        skippedCount: walk.skipped,
        durationMs: finished - startedAt,
        message: `${mode} sync: ${walk.entries} entries in ${walk.pages} page${walk.pages === 1 ? '' : 's'}, ${walk.changed} server${walk.changed === 1 ? '' : 's'} changed${walk.removed ? `, ${walk.removed} removed` : ''}${describeSkipped(walk.skipped, walk.firstSkipped)}`,
      };
      if (mode === 'full') patch.lastFullSyncTime = new Date(startedAt).toISOString();
      else patch.updatedSinceSupported = true;
      const next = await status.update(name, patch);
      logger.info('upstream sync complete', { registry: name, mode, pages: walk.pages, entries: walk.entries, changed: walk.changed, removed: walk.removed, skipped: walk.skipped, ms: finished - startedAt });
      return next;
    } catch (err) {
      const aborted = options.signal.aborted;
      const reason = aborted ? `interrupted: ${describe(options.signal.reason ?? 'aborted')}; the sync will run again` : describe(err);
      logger.warn('upstream sync failed; keeping last good data', { registry: name, mode, reason });
      await status.update(name, {
        phase: aborted ? (prev.phase === 'syncing' ? 'pending' : prev.phase) : 'failed',
        attemptCount: aborted ? prev.attemptCount : prev.attemptCount + 1,
        message: reason,
        durationMs: Date.now() - startedAt,
      });
      throw err;
    }
  }

  private async walk(mode: 'full' | 'incremental', watermark: string | undefined, startedAt: number, options: SyncRunOptions & { signal: AbortSignal }): Promise<WalkResult> {
    const { writer } = this.deps;
    const name = this.config.name;
    const snapshot: FullSnapshot | undefined = mode === 'full' ? writer.snapshot(name, randomUUID()) : undefined;
    const cursors = new Set<string>();
    const result: WalkResult = { pages: 0, entries: 0, changed: 0, removed: 0, skipped: 0 };
    const request = (cursor: string | undefined): Promise<UpstreamPage> => {
      const page = this.client.fetchPage(
        { limit: this.config.sync.pageSize, ...(cursor ? { cursor } : {}), ...(mode === 'incremental' && watermark ? { updatedSince: watermark } : {}) },
        options.signal,
      );
      // A prefetched page whose walk failed meanwhile is never awaited: its error is not news.
      page.catch(() => undefined);
      return page;
    };
    try {
      let next = request(undefined);
      for (;;) {
        const page = await next;
        result.pages++;
        result.entries += page.items.length;
        const nextCursor = page.nextCursor;
        if (nextCursor !== undefined) {
          if (cursors.has(nextCursor)) throw new UpstreamError('upstream repeated a pagination cursor (a loop); stopping without removing anything');
          cursors.add(nextCursor);
        }
        const more = page.items.length > 0 && nextCursor !== undefined;
        // The next page is fetched while this one is written (one page ahead, never more).
        if (more && result.pages < this.config.sync.maxPages) next = request(nextCursor);
        const parsed = parseItems(page.items);
        result.skipped += parsed.skipped.length;
        result.firstSkipped ??= parsed.skipped[0];
        const kept = parsed.entries.filter((e) => this.keep(e.server.name));
        // Skipped entries count as seen: one bad page entry must not sweep the last good copy.
        const [written] = await Promise.all([writer.upsert(name, groupByName(kept)), snapshot?.markSeen([...kept.map((e) => e.server), ...skippedRefs(page.items, parsed.skipped)])]);
        result.changed += written.changedNames;
        if (written.overCap > 0) {
          result.skipped += written.overCap;
          result.firstSkipped ??= { index: -1, reason: `versions beyond catalog.maxVersionsPerName were skipped` };
        }
        options.onProgress?.({ mode, pages: result.pages, entries: result.entries, changed: result.changed, skipped: result.skipped, startedAt });
        if (!more) break;
        if (result.pages >= this.config.sync.maxPages) {
          throw new UpstreamError(`upstream returned more than ${this.config.sync.maxPages} pages (sync.maxPages); stopping without removing anything`);
        }
      }
      if (snapshot) result.removed = await snapshot.sweep();
      return result;
    } finally {
      await snapshot?.discard().catch(() => undefined);
    }
  }
}

function skippedRefs(items: readonly unknown[], skipped: readonly SkippedEntry[]): Array<{ name: string; version: string }> {
  const out: Array<{ name: string; version: string }> = [];
  for (const s of skipped) {
    const raw = items[s.index] as { server?: { name?: unknown; version?: unknown }; name?: unknown; version?: unknown } | undefined;
    const server = raw && typeof raw.server === 'object' && raw.server ? raw.server : raw;
    if (typeof server?.name === 'string' && typeof server.version === 'string') out.push({ name: server.name, version: server.version });
  }
  return out;
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
