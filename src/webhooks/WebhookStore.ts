import type { Redis } from 'ioredis';
import type { Keys } from '../catalog/keys.js';

/** One delivery attempt, as admins see it at `GET /v0.1/webhooks`. */
export interface DeliveryRecord {
  /** The `webhook-id` header (stable across attempts of one change). */
  messageId: string;
  /** The event position delivered (the SSE `id`). */
  position: string;
  status: 'delivered' | 'failed' | 'skipped';
  /** Attempt number of this message (1 = first). */
  attempt: number;
  httpStatus?: number;
  error?: string;
  /** When the attempt ended (ISO). */
  at: string;
  durationMs: number;
  /** Attempt end minus the change time (ms): how far behind the receiver was. */
  lagMs: number;
}

/** Per-webhook state: the delivered position and the message currently being retried. */
export interface WebhookState {
  lastSuccessAt?: string;
  /** Change time (ms) of the last delivered event. */
  lastDeliveredChangeMs?: number;
  pending?: { messageId: string; position: string; attempts: number; lastError: string; since: string; changeMs: number };
}

/**
 * Redis state of webhook delivery, under the gateway's `{prefix}` hash tag:
 * `wh:<name>:pos` (last delivered position; written only by the delivering worker under the
 * webhook's lock), `wh:<name>:rewind` (a position an admin asked to redeliver from), `wh:<name>:state`
 * (JSON {@link WebhookState}) and `wh:<name>:log` (recent {@link DeliveryRecord}s, newest first, capped).
 */
export class WebhookStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly history: number,
  ) {}

  private key(name: string, part: 'pos' | 'rewind' | 'state' | 'log'): string {
    return `${this.keys.base}wh:${name}:${part}`;
  }

  /** The last delivered position, or undefined before the first delivery. */
  async position(name: string): Promise<string | undefined> {
    return (await this.redis.get(this.key(name, 'pos'))) ?? undefined;
  }

  /**
   * Records `position` as delivered and takes a pending admin rewind, atomically.
   * @returns the rewind position when an admin asked for one (delivery continues from there).
   */
  async advance(name: string, position: string): Promise<string | undefined> {
    const replies = (await this.redis.multi().set(this.key(name, 'pos'), position).getdel(this.key(name, 'rewind')).exec()) ?? [];
    for (const [err] of replies) if (err) throw err;
    const rewind = replies[1]?.[1] as string | null | undefined;
    if (!rewind) return undefined;
    await this.redis.set(this.key(name, 'pos'), rewind);
    return rewind;
  }

  /** Takes a pending admin rewind (before a pump starts). */
  async takeRewind(name: string): Promise<string | undefined> {
    const rewind = await this.redis.getdel(this.key(name, 'rewind'));
    if (!rewind) return undefined;
    await this.redis.set(this.key(name, 'pos'), rewind);
    return rewind;
  }

  /** Asks the delivering worker to continue from `position` (admin redelivery). */
  async requestRewind(name: string, position: string): Promise<void> {
    await this.redis.set(this.key(name, 'rewind'), position);
  }

  async state(name: string): Promise<WebhookState> {
    const raw = await this.redis.get(this.key(name, 'state'));
    return raw ? (JSON.parse(raw) as WebhookState) : {};
  }

  async setState(name: string, state: WebhookState): Promise<void> {
    await this.redis.set(this.key(name, 'state'), JSON.stringify(state));
  }

  /** Appends a delivery record, keeping the newest `history`. */
  async record(name: string, entry: DeliveryRecord): Promise<void> {
    const key = this.key(name, 'log');
    await this.redis.multi().lpush(key, JSON.stringify(entry)).ltrim(key, 0, this.history - 1).exec();
  }

  /** Recent delivery records, newest first. */
  async recent(name: string): Promise<DeliveryRecord[]> {
    return (await this.redis.lrange(this.key(name, 'log'), 0, this.history - 1)).map((s) => JSON.parse(s) as DeliveryRecord);
  }
}
