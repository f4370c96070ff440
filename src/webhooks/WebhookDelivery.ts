import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CallerView } from '../access/AccessPolicy.js';
import { PositionExpiredError, positionTimeMs, type ChangeFeed, type FeedItem } from '../catalog/ChangeFeed.js';
import type { Keys } from '../catalog/keys.js';
import type { WebhookConfig } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';
import { withLock } from '../sync/lock.js';
import { bullPrefix } from '../sync/SyncQueue.js';
import { postWebhook } from './deliverOne.js';
import { messageId, signPayload } from './signature.js';
import { kickWebhook, WEBHOOK_QUEUE, type WebhookJobData } from './webhookQueue.js';
import type { WebhookStore } from './WebhookStore.js';

/** A configured receiver, resolved: its HMAC key and its view. */
export interface ResolvedWebhook {
  config: WebhookConfig;
  key: Buffer;
  view: CallerView;
}

/** Dependencies of {@link WebhookDelivery}. */
export interface WebhookDeliveryDeps {
  /** BullMQ connection (waits while Redis reconnects). */
  connection: ConnectionOptions;
  /** Commands connection (locks). */
  redis: Redis;
  keys: Keys;
  prefix: string;
  feed: ChangeFeed;
  store: WebhookStore;
  hooks: readonly ResolvedWebhook[];
  options: { concurrency: number; batchSize: number };
  logger: Logger;
}

const AGGREGATE = { kind: 'aggregate' } as const;
const LOCK_TTL_MS = 30_000;
/** The dispatcher re-checks every receiver at least this often, besides each catalogue change. */
const TICK_MS = 5000;
const FIRST_BACKOFF_MS = 1000;
/** How long a caught-up delivery job keeps waiting for the next change before it completes. */
const LINGER_MS = 1000;

/** A failed attempt: BullMQ retries the job after the backoff. */
class DeliveryFailed extends Error {}

/**
 * Webhook delivery in the worker role (DESIGN §3): a dispatcher asks for a delivery job per receiver
 * whenever the catalogue changes; a job brings one receiver up to date, one message at a time in
 * change order, advancing the receiver's stored position only after a 2xx (at least once). A failed
 * attempt fails the job, which BullMQ retries with exponential backoff (1 s doubling, capped by the
 * receiver's `maxBackoff`, with jitter); the job id is per receiver, so one receiver never has two
 * deliveries in flight and a receiver that is down for hours resumes from its position when it
 * comes back (up to the feed's retention).
 */
export class WebhookDelivery {
  private readonly worker: Worker<WebhookJobData>;
  private readonly queue: Queue<WebhookJobData>;
  private readonly byName: Map<string, ResolvedWebhook>;
  private readonly stop = new AbortController();
  private dispatching: Promise<void> | undefined;

  constructor(private readonly deps: WebhookDeliveryDeps) {
    this.byName = new Map(deps.hooks.map((h) => [h.config.name, h]));
    const prefix = bullPrefix(deps.prefix);
    this.queue = new Queue<WebhookJobData>(WEBHOOK_QUEUE, { connection: deps.connection, prefix });
    this.worker = new Worker<WebhookJobData>(WEBHOOK_QUEUE, (job, _token, signal) => this.process(job, signal), {
      connection: deps.connection,
      prefix,
      concurrency: deps.options.concurrency,
      lockDuration: LOCK_TTL_MS,
      maxStalledCount: 1000,
      settings: { backoffStrategy: (attemptsMade, _type, _err, job) => this.backoff(attemptsMade, job?.data as WebhookJobData | undefined) },
    });
    this.worker.on('error', (err) => deps.logger.warn('webhook worker error', { error: err.message }));
  }

  /** Starts the dispatcher (a first run for every receiver, then one after each change). */
  async start(): Promise<void> {
    await this.worker.waitUntilReady();
    await this.kickAll();
    this.dispatching = this.dispatch();
  }

  private async dispatch(): Promise<void> {
    while (!this.stop.signal.aborted) {
      await this.deps.feed.waitForChange(TICK_MS, this.stop.signal);
      if (this.stop.signal.aborted) return;
      await this.kickAll().catch((err: Error) => this.deps.logger.warn('could not queue webhook deliveries', { error: err.message }));
    }
  }

  private async kickAll(): Promise<void> {
    for (const name of this.byName.keys()) await kickWebhook(this.queue, name);
  }

  private backoff(attemptsMade: number, data?: WebhookJobData): number {
    const cap = (data && this.byName.get(data.webhook)?.config.maxBackoff) ?? 600_000;
    const exp = Math.min(cap, FIRST_BACKOFF_MS * 2 ** Math.max(0, Math.min(attemptsMade - 1, 30)));
    return Math.round(exp * (0.8 + Math.random() * 0.2));
  }

  private async process(job: Job<WebhookJobData>, signal?: AbortSignal): Promise<string> {
    const hook = this.byName.get(job.data.webhook);
    if (!hook) return 'not-configured';
    const key = this.deps.keys.lock(`webhook:${hook.config.name}`);
    const result = await withLock(this.deps.redis, key, { ttlMs: LOCK_TTL_MS, token: `job:${job.id ?? 'none'}` }, (lost) =>
      this.pump(hook, signal ? AbortSignal.any([signal, lost, this.stop.signal]) : AbortSignal.any([lost, this.stop.signal])),
    );
    if (!result.acquired) throw new DeliveryFailed('another worker is delivering to this webhook');
    return result.value;
  }

  /** Delivers everything after the receiver's position, in order. */
  private async pump(hook: ResolvedWebhook, signal: AbortSignal): Promise<string> {
    const { feed, store } = this.deps;
    const name = hook.config.name;
    let position = (await store.takeRewind(name)) ?? (await store.position(name));
    if (position === undefined) {
      // A new receiver starts with the changes from now on; admins backfill with a redelivery.
      position = await feed.head();
      await store.advance(name, position);
    }
    let idleSince: number | undefined;
    for (;;) {
      if (signal.aborted) throw new DeliveryFailed('delivery interrupted; it will resume');
      // Registered before the read, so a change committed while reading is not slept through.
      const round = new AbortController();
      const endRound = () => round.abort();
      signal.addEventListener('abort', endRound, { once: true });
      const changed = feed.waitForChange(LINGER_MS, round.signal).finally(() => signal.removeEventListener('abort', endRound));
      let batch;
      try {
        batch = await feed.read(hook.view, AGGREGATE, position, this.deps.options.batchSize);
      } catch (err) {
        round.abort();
        if (!(err instanceof PositionExpiredError)) throw err;
        position = await this.skipExpired(hook, position);
        continue;
      }
      if (batch.items.length === 0) {
        if (batch.next !== position) {
          await store.advance(name, batch.next);
          position = batch.next;
        }
        const rewind = await store.takeRewind(name);
        if (rewind) {
          round.abort();
          position = rewind;
          idleSince = undefined;
          continue;
        }
        // Caught up: linger briefly, so a burst of changes does not pay a job pickup each.
        idleSince ??= Date.now();
        if (Date.now() - idleSince >= LINGER_MS) {
          round.abort();
          return 'caught-up';
        }
        await changed;
        continue;
      }
      round.abort();
      idleSince = undefined;
      let rewound: string | undefined;
      for (const item of batch.items) {
        await this.deliver(hook, item);
        rewound = await store.advance(name, item.id);
        if (rewound) break;
        position = item.id;
      }
      position = rewound ?? batch.next;
      if (!rewound && batch.next !== batch.items[batch.items.length - 1]?.id) await store.advance(name, batch.next);
    }
  }

  /** One message, one attempt; throws {@link DeliveryFailed} so BullMQ retries after the backoff. */
  private async deliver(hook: ResolvedWebhook, item: FeedItem): Promise<void> {
    const { store } = this.deps;
    const name = hook.config.name;
    const changeMs = positionTimeMs(item.id);
    const id = messageId(name, item.id);
    const body = Buffer.concat([
      Buffer.from(`{"type":"server.changed","timestamp":${JSON.stringify(new Date(changeMs).toISOString())},"position":${JSON.stringify(item.id)},"data":`),
      item.row,
      Buffer.from('}'),
    ]);
    const ts = Math.floor(Date.now() / 1000);
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signPayload(hook.key, id, ts, body) };
    const outcome = await postWebhook(hook.config.url, headers, body, hook.config.timeout);
    const state = await store.state(name);
    const attempt = state.pending?.messageId === id ? state.pending.attempts + 1 : 1;
    const at = new Date().toISOString();
    await store.record(name, {
      messageId: id,
      position: item.id,
      status: outcome.ok ? 'delivered' : 'failed',
      attempt,
      ...(outcome.httpStatus !== undefined ? { httpStatus: outcome.httpStatus } : {}),
      ...(outcome.error ? { error: outcome.error } : {}),
      at,
      durationMs: outcome.durationMs,
      lagMs: Date.now() - changeMs,
    });
    if (outcome.ok) {
      await store.setState(name, { lastSuccessAt: at, lastDeliveredChangeMs: changeMs });
      return;
    }
    const since = state.pending?.messageId === id ? state.pending.since : at;
    await store.setState(name, { ...state, pending: { messageId: id, position: item.id, attempts: attempt, lastError: outcome.error ?? 'failed', since, changeMs } });
    this.deps.logger.info('webhook delivery failed; will retry with backoff', { webhook: name, attempt, error: outcome.error });
    throw new DeliveryFailed(outcome.error ?? 'delivery failed');
  }

  /** The receiver fell behind the retention: record what was skipped and continue from now. */
  private async skipExpired(hook: ResolvedWebhook, from: string): Promise<string> {
    const { feed, store } = this.deps;
    const head = await feed.head();
    await store.advance(hook.config.name, head);
    await store.record(hook.config.name, {
      messageId: '-',
      position: from,
      status: 'skipped',
      attempt: 0,
      error: 'the receiver fell behind the event retention; changes until now were skipped (redeliver with updated_since to backfill)',
      at: new Date().toISOString(),
      durationMs: 0,
      lagMs: 0,
    });
    this.deps.logger.warn('webhook receiver fell behind the retention; skipped to now', { webhook: hook.config.name });
    return head;
  }

  /** Stops the dispatcher and the worker within `timeoutMs`. */
  async close(timeoutMs = 10_000): Promise<void> {
    this.stop.abort();
    await this.dispatching;
    let timer: NodeJS.Timeout | undefined;
    const forced = new Promise<void>((resolve) => {
      timer = setTimeout(() => void this.worker.close(true).then(resolve, resolve), timeoutMs);
    });
    await Promise.race([this.worker.close(), forced]);
    clearTimeout(timer);
    await this.queue.close().catch(() => undefined);
  }
}
