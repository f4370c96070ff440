import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { unwatchFile, watchFile, type Stats } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { CatalogWriter, WriteResult } from '../catalog/CatalogWriter.js';
import type { FileRegistryConfig } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';
import { documentItems, groupByName, parseItems, type SkippedEntry } from './entries.js';
import { withLock } from './lock.js';
import { compileNameFilter } from './nameFilter.js';
import type { SyncStatus, SyncStatusStore } from './SyncStatusStore.js';

/** Dependencies of {@link FileRegistrySource}. */
export interface FileRegistryDeps {
  redis: Redis;
  writer: CatalogWriter;
  status: SyncStatusStore;
  logger: Logger;
}

const LOCK_TTL_MS = 60_000;
const WATCH_INTERVAL_MS = 1000;

/** Summarises skipped entries for a status message: how many, and the first reason. */
export function describeSkipped(count: number, first?: SkippedEntry): string {
  if (count === 0 || !first) return '';
  return `; ${count} invalid entr${count === 1 ? 'y' : 'ies'} skipped (first: entry ${first.index}${first.name ? ` ${first.name}` : ''}: ${first.reason})`;
}

/**
 * A `type: file` registry: a JSON file (array of server.json, or a v0.1 list response) loaded into
 * the index at start-up and whenever the file changes. The file is the registry's complete content,
 * so names that leave the file leave the index. A file that cannot be read or parsed leaves the last
 * good data in place and marks the registry `failed` with the reason.
 */
export class FileRegistrySource {
  private timer: NodeJS.Timeout | undefined;
  private watching = false;
  private running: Promise<SyncStatus | undefined> | undefined;

  constructor(
    readonly config: FileRegistryConfig,
    private readonly deps: FileRegistryDeps,
  ) {}

  /**
   * Loads the file now (one process fleet-wide at a time). Resolves with the resulting status, or
   * undefined when another process holds the registry's lock. `token` identifies the lock owner
   * (a sync job's id), so a retried job can take over its crashed predecessor's lock.
   */
  load(options: { token?: string } = {}): Promise<SyncStatus | undefined> {
    this.running ??= this.loadOnce(options.token).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Starts polling the file for changes (mtime/size), reloading after each change. */
  watch(): void {
    if (this.watching || !this.config.watch) return;
    this.watching = true;
    watchFile(this.config.path, { interval: WATCH_INTERVAL_MS, persistent: false }, (curr: Stats, prev: Stats) => {
      if (curr.mtimeMs === prev.mtimeMs && curr.size === prev.size) return;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        void this.load().catch((err: Error) => this.deps.logger.error('file registry reload failed', { registry: this.config.name, error: err.message }));
      }, 200);
    });
  }

  /** Stops watching. */
  stop(): void {
    clearTimeout(this.timer);
    if (this.watching) unwatchFile(this.config.path);
    this.watching = false;
  }

  private async loadOnce(token?: string): Promise<SyncStatus | undefined> {
    const { redis, writer } = this.deps;
    const lock = { ttlMs: LOCK_TTL_MS, ...(token ? { token } : {}) };
    const result = await withLock(redis, writer.keys.lock(`sync:${this.config.name}`), lock, () => this.apply());
    return result.acquired ? result.value : undefined;
  }

  private async apply(): Promise<SyncStatus> {
    const { writer, status, logger } = this.deps;
    const name = this.config.name;
    const started = Date.now();
    const startedAt = new Date(started).toISOString();
    const file = path.basename(this.config.path);
    await status.update(name, { phase: 'syncing', lastAttempt: startedAt, lastRunMode: 'file' });

    const fail = async (message: string): Promise<SyncStatus> => {
      const prev = await status.get(name);
      logger.warn('file registry load failed; keeping last good data', { registry: name, reason: message });
      return status.update(name, { phase: 'failed', message, attemptCount: prev.attemptCount + 1, durationMs: Date.now() - started });
    };

    let text: string;
    try {
      text = await readFile(this.config.path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return fail(`cannot read ${file}: ${code === 'ENOENT' ? 'file not found' : (code ?? (err as Error).message)}`);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      return fail(`${file} is not valid JSON: ${(err as Error).message}`);
    }
    const items = documentItems(doc);
    if (!items) return fail(`${file} must hold a JSON array of server.json objects or a v0.1 list response ({"servers":[...]})`);

    const keep = compileNameFilter(this.config.filter);
    const parsed = parseItems(items);
    if (items.length > 0 && parsed.entries.length === 0) {
      return fail(`every entry in ${file} is invalid${describeSkipped(parsed.skipped.length, parsed.skipped[0])}`);
    }
    const kept = parsed.entries.filter((e) => keep(e.server.name));
    const groups = groupByName(kept);
    // The file is the registry's complete content: names it no longer lists are swept.
    const snapshot = writer.snapshot(name, randomUUID());
    let written: WriteResult;
    let removed: number;
    try {
      written = await writer.replace(name, groups);
      await snapshot.markSeen(kept.map((e) => e.server));
      removed = await snapshot.sweep();
    } finally {
      await snapshot.discard();
    }

    const next = await status.update(name, {
      phase: 'complete',
      lastSyncTime: new Date().toISOString(),
      attemptCount: 0,
      changedCount: written.changedNames + removed,
      skippedCount: parsed.skipped.length,
      durationMs: Date.now() - started,
      message: `loaded ${groups.size} servers (${written.versions} versions) from ${file}${describeSkipped(parsed.skipped.length, parsed.skipped[0])}`,
    });
    logger.info('file registry loaded', { registry: name, servers: groups.size, versions: written.versions, changed: written.changedNames, removed, skipped: parsed.skipped.length });
    return next;
  }
}
