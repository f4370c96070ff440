import { Queue, type ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ChangeFeed } from '../catalog/ChangeFeed.js';
import type { Keys } from '../catalog/keys.js';
import type { GatewayConfig, WebhookConfig } from '../config/schema.js';
import { NotFoundError } from '../errors.js';
import { redactUrl } from '../observability/redact.js';
import { bullPrefix } from '../sync/SyncQueue.js';
import { kickWebhook, WEBHOOK_QUEUE, webhookJobId, type WebhookJobData } from './webhookQueue.js';
import { WebhookStore, type DeliveryRecord } from './WebhookStore.js';

/** One webhook as `GET /v0.1/webhooks` shows it. */
export interface WebhookSummary {
  name: string;
  /** The receiver URL with any credentials removed. */
  url: string;
  as: string[];
  registries: string[];
  /** `idle` (caught up), `waiting`/`active` (delivering), `delayed` (backing off after a failure). */
  state: string;
  /** The last delivered event position (the SSE `id`), if any. */
  position?: string;
  lastSuccessAt?: string;
  /** How far behind the receiver is (ms): now minus the change time of the oldest undelivered change; 0 when caught up. */
  lagMs: number;
  /** The message being retried, when the receiver is failing. */
  pending?: { messageId: string; position: string; attempts: number; lastError: string; since: string; nextAttemptAt?: string };
  /** Recent attempts, newest first. */
  deliveries: DeliveryRecord[];
}

/** Dependencies of {@link WebhookAdmin}. */
export interface WebhookAdminDeps {
  redis: Redis;
  keys: Keys;
  config: GatewayConfig;
  feed: ChangeFeed;
  /** BullMQ connection. */
  connection: ConnectionOptions;
}

/**
 * The API side of webhooks: lists each configured receiver with its delivery state and recent
 * attempts, and lets admins redeliver (retry now, or rewind to a position or a time).
 */
export class WebhookAdmin {
  private readonly store: WebhookStore;
  private queue: Queue<WebhookJobData> | undefined;

  constructor(private readonly deps: WebhookAdminDeps) {
    this.store = new WebhookStore(deps.redis, deps.keys, deps.config.events.webhookHistory);
  }

  private jobs(): Queue<WebhookJobData> {
    this.queue ??= new Queue<WebhookJobData>(WEBHOOK_QUEUE, { connection: this.deps.connection, prefix: bullPrefix(this.deps.config.redis.prefix) });
    return this.queue;
  }

  private hook(name: string): WebhookConfig {
    const hook = this.deps.config.webhooks.find((w) => w.name === name);
    if (!hook) throw new NotFoundError(`Webhook "${name}" not found. GET /v0.1/webhooks lists the configured webhooks.`);
    return hook;
  }

  /** Every configured webhook, in config order. */
  async list(): Promise<WebhookSummary[]> {
    return Promise.all(this.deps.config.webhooks.map((w) => this.summary(w)));
  }

  private async summary(hook: WebhookConfig): Promise<WebhookSummary> {
    const [position, state, deliveries, job] = await Promise.all([
      this.store.position(hook.name),
      this.store.state(hook.name),
      this.store.recent(hook.name),
      this.deps.config.webhooks.length > 0 ? this.jobs().getJob(webhookJobId(hook.name)) : undefined,
    ]);
    const jobState = job ? await job.getState() : 'idle';
    const out: WebhookSummary = {
      name: hook.name,
      url: redactUrl(hook.url).replace(/\?.*$/, '?…'),
      as: hook.as,
      registries: hook.registries,
      state: jobState === 'unknown' || jobState === 'completed' || jobState === 'failed' ? 'idle' : jobState,
      lagMs: state.pending ? Math.max(0, Date.now() - state.pending.changeMs) : 0,
      deliveries,
    };
    if (position) out.position = position;
    if (state.lastSuccessAt) out.lastSuccessAt = state.lastSuccessAt;
    if (state.pending) {
      const { changeMs: _changeMs, ...pending } = state.pending;
      out.pending = pending;
      if (job && jobState === 'delayed') out.pending.nextAttemptAt = new Date(job.timestamp + (job.delay ?? 0)).toISOString();
    }
    return out;
  }

  /**
   * Redelivers to one webhook: with `from` (a position, or a time) rewinds the receiver so every
   * change after it is delivered again, in order; in any case retries now if it is backing off.
   * @throws NotFoundError for an unknown webhook.
   */
  async redeliver(name: string, from?: { since: string } | { updatedSinceUs: number }): Promise<WebhookSummary> {
    const hook = this.hook(name);
    if (from) await this.store.requestRewind(name, 'since' in from ? from.since : this.deps.feed.positionAt(from.updatedSinceUs));
    const job = await this.jobs().getJob(webhookJobId(name));
    if (job && (await job.getState()) === 'delayed') await job.promote();
    else await kickWebhook(this.jobs(), name);
    return this.summary(hook);
  }

  async close(): Promise<void> {
    await this.queue?.close();
  }
}
