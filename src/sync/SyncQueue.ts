import { Queue, type ConnectionOptions } from 'bullmq';
import type { RegistryConfig } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';

/** Payload of a sync job: only the registry name (and whether a full walk was asked for). */
export interface SyncJobData {
  registry: string;
  full?: boolean;
}

/** BullMQ queue name; keys live under the gateway's `{prefix}` hash tag. */
export const SYNC_QUEUE = 'sync';

/** The BullMQ key prefix for a gateway key prefix (shares its Redis Cluster hash tag). */
export function bullPrefix(prefix: string): string {
  return `{${prefix}}:bull`;
}

const schedulerId = (registry: string) => `sync:${registry}`;

/**
 * The sync queue: one BullMQ Job Scheduler per upstream registry (reconciled with the config at
 * start-up; schedulers of removed registries are deleted) and on-demand jobs ("sync now"),
 * deduplicated per registry so at most one runs and at most one more waits.
 */
export class SyncQueue {
  readonly queue: Queue<SyncJobData>;

  constructor(connection: ConnectionOptions, prefix: string) {
    this.queue = new Queue<SyncJobData>(SYNC_QUEUE, {
      connection,
      prefix: bullPrefix(prefix),
      defaultJobOptions: {
        attempts: 3,
        backoff: { type: 'exponential', delay: 30_000 },
        removeOnComplete: { count: 200 },
        removeOnFail: { count: 500 },
      },
    });
    // Connection problems are logged once by the Redis client itself (createRedis); without a
    // listener BullMQ would print each one to stderr with a stack.
    this.queue.on('error', () => undefined);
  }

  /** Makes the schedulers match the configured upstream registries. */
  async reconcile(registries: readonly RegistryConfig[], logger?: Logger): Promise<void> {
    const wanted = new Map<string, number>();
    for (const r of registries) if (r.type === 'upstream') wanted.set(schedulerId(r.name), r.sync.interval);
    for (const [id, every] of wanted) {
      const registry = id.slice('sync:'.length);
      await this.queue.upsertJobScheduler(id, { every }, { name: 'sync', data: { registry }, opts: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 } } });
    }
    for (const s of await this.queue.getJobSchedulers(0, -1)) {
      const id = s.id ?? s.key;
      if (!wanted.has(id)) {
        await this.queue.removeJobScheduler(id);
        logger?.info('removed the sync schedule of a registry no longer configured', { scheduler: id });
      }
    }
  }

  /**
   * Queues a sync now. A request equal to one still waiting joins it; if one is running, exactly
   * one more runs after it. One attempt only: a failed run is an outcome (syncStatus says why),
   * and a job waiting in a retry backoff would keep the deduplication key and swallow the next
   * requests. A run that cannot start (the registry is busy) or is interrupted by a shutdown is
   * delayed, not failed (see SyncWorker), so the request still runs.
   */
  async enqueue(registry: string, full: boolean): Promise<void> {
    await this.queue.add('sync', { registry, full }, { attempts: 1, deduplication: { id: `sync:${registry}${full ? ':full' : ''}`, keepLastIfActive: true } });
  }

  /** When the scheduler will next run each registry (epoch ms), where known. */
  async nextRuns(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const s of await this.queue.getJobSchedulers(0, -1)) {
      const id = s.id ?? s.key;
      if (id.startsWith('sync:') && typeof s.next === 'number') out.set(id.slice('sync:'.length), s.next);
    }
    return out;
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
