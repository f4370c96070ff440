import type { Redis } from 'ioredis';
import type { CatalogWriter } from '../catalog/CatalogWriter.js';
import type { UpstreamRegistryConfig } from '../config/schema.js';
import { SseParser } from '../events/sseParser.js';
import type { Logger } from '../observability/logger.js';
import { GATEWAY_VERSION } from '../version.js';
import { groupByName, parseItems } from './entries.js';
import { withLock } from './lock.js';
import { compileNameFilter, type NameFilter } from './nameFilter.js';
import type { SyncStatusStore } from './SyncStatusStore.js';

/** What the follower needs: the store to write through, and the registry's poller as the fallback. */
export interface EventFollowerDeps {
  redis: Redis;
  writer: CatalogWriter;
  status: SyncStatusStore;
  /** Runs one `updated_since` sync (the registry's UpstreamSync); resolves undefined when another run holds the lock. */
  poll(signal: AbortSignal): Promise<unknown>;
  logger: Logger;
  /** Bearer token sent upstream (the registry's `auth.tokenEnv`). */
  token?: string;
}

const LOCK_TTL_MS = 15_000;
const MAX_RETRY_MS = 30_000;
const FIRST_RETRY_MS = 500;
/** Rows applied per store write while a backlog streams in. */
const APPLY_BATCH = 200;

/** The events URL for a registry base URL, which may already end in `/v0.1` or `/v0`. */
export function eventsUrl(base: string): string {
  const trimmed = base.replace(/\/+$/, '');
  return /\/v0(\.1)?$/.test(trimmed) ? `${trimmed}/events` : `${trimmed}/v0.1/events`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * `sync.follow: events`: keeps a Server-Sent Events subscription to an upstream gateway's
 * `/v0.1/events` open and applies each row as an incremental change, through the same parse,
 * filter and per-name write path as an `updated_since` page. Resumes with Last-Event-ID (position
 * stored in Redis); starts from the poller's watermark. Whenever the stream is unavailable it
 * falls back to an `updated_since` poll (at once, then at most every `min(sync.interval, 30s)`)
 * while retrying the stream with backoff; on `event: reset` it polls, then resubscribes from the
 * new watermark. One follower per registry fleet-wide (a Redis lock; another worker takes over).
 */
export class EventFollower {
  private readonly keep: NameFilter;
  private readonly stop = new AbortController();
  private running: Promise<void> | undefined;
  private lastPoll = 0;

  constructor(
    readonly config: UpstreamRegistryConfig,
    private readonly deps: EventFollowerDeps,
  ) {
    this.keep = compileNameFilter(config.filter);
  }

  private get positionKey(): string {
    return `${this.deps.writer.keys.base}follow:${this.config.name}:pos`;
  }

  /** Starts following in the background. */
  start(): void {
    this.running ??= this.loop();
  }

  /** Stops following and waits for the loop to end. */
  async close(): Promise<void> {
    this.stop.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    const key = this.deps.writer.keys.lock(`follow:${this.config.name}`);
    while (!this.stop.signal.aborted) {
      try {
        const held = await withLock(this.deps.redis, key, { ttlMs: LOCK_TTL_MS }, (lost) => this.follow(AbortSignal.any([lost, this.stop.signal])));
        if (held.acquired) continue;
      } catch (err) {
        this.deps.logger.warn('event follower error', { registry: this.config.name, error: (err as Error).message });
      }
      await sleep(LOCK_TTL_MS / 3, this.stop.signal);
    }
  }

  private async follow(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      let reason: string;
      try {
        reason = await this.streamOnce(signal);
        failures = 0;
      } catch (err) {
        reason = (err as Error).message;
        failures++;
      }
      if (signal.aborted) return;
      const fallbackEvery = Math.min(this.config.sync.interval, MAX_RETRY_MS);
      if (Date.now() - this.lastPoll >= fallbackEvery || reason === 'reset') {
        this.deps.logger.info('event stream unavailable; polling updated_since meanwhile', { registry: this.config.name, reason });
        this.lastPoll = Date.now();
        await this.deps.poll(signal).catch((err: Error) => this.deps.logger.warn('fallback poll failed', { registry: this.config.name, error: err.message }));
      }
      await sleep(Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.min(failures, 10)), signal);
    }
  }

  /** One subscription, until it ends. Returns why it ended; throws when it could not open. */
  private async streamOnce(signal: AbortSignal): Promise<string> {
    const { redis, status, logger } = this.deps;
    const position = await redis.get(this.positionKey);
    const headers: Record<string, string> = { accept: 'text/event-stream', 'user-agent': `mcp-registry-gateway/${GATEWAY_VERSION} (follower)` };
    if (this.deps.token) headers.authorization = `Bearer ${this.deps.token}`;
    let url = eventsUrl(this.config.url);
    if (position) headers['last-event-id'] = position;
    else {
      const watermark = (await status.get(this.config.name)).watermark;
      const since = typeof watermark === 'string' ? watermark : new Date(Date.now() - this.config.sync.safetyMargin).toISOString();
      url += `?updated_since=${encodeURIComponent(since)}`;
    }
    const res = await fetch(url, { headers, signal, redirect: 'error' });
    if (res.status === 400 && position) {
      await redis.del(this.positionKey);
      throw new Error('upstream rejected the stored event position; resubscribing from the watermark');
    }
    if (res.status !== 200 || !res.body) {
      await res.body?.cancel().catch(() => undefined);
      throw new Error(`upstream events answered HTTP ${res.status}`);
    }
    logger.info('following upstream change events', { registry: this.config.name, resumed: Boolean(position) });
    const parser = new SseParser(this.config.sync.maxResponseBytes);
    const decoder = new TextDecoder();
    let rows: unknown[] = [];
    let lastId: string | undefined;
    const flush = async () => {
      if (rows.length === 0) return;
      await this.apply(rows);
      rows = [];
      if (lastId) await redis.set(this.positionKey, lastId);
    };
    const reader = res.body.getReader();
    // Aborting fetch's signal does not end a body already being read: cancel the reader instead.
    const cancel = () => void reader.cancel().catch(() => undefined);
    signal.addEventListener('abort', cancel, { once: true });
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done || signal.aborted) break;
        for (const ev of parser.push(decoder.decode(value, { stream: true }))) {
          if (ev.event === 'reset') {
            await flush();
            await redis.del(this.positionKey);
            return 'reset';
          }
          if (ev.event !== 'server') continue;
          rows.push(JSON.parse(ev.data) as unknown);
          if (ev.id) lastId = ev.id;
          if (rows.length >= APPLY_BATCH) await flush();
        }
        await flush();
      }
    } finally {
      signal.removeEventListener('abort', cancel);
      cancel();
    }
    return 'the upstream ended the stream';
  }

  /** Applies rows exactly as an `updated_since` page is applied. */
  private async apply(items: readonly unknown[]): Promise<void> {
    const parsed = parseItems(items);
    if (parsed.skipped.length > 0) this.deps.logger.warn('skipped invalid rows from the upstream event stream', { registry: this.config.name, skipped: parsed.skipped.length });
    const kept = parsed.entries.filter((e) => this.keep(e.server.name));
    if (kept.length > 0) await this.deps.writer.upsert(this.config.name, groupByName(kept));
  }
}
