import { hostname } from 'node:os';
import { DelayedError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { RegistryConfig } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';
import type { FileRegistrySource } from './FileRegistrySource.js';
import { bullPrefix, SYNC_QUEUE, type SyncJobData } from './SyncQueue.js';
import type { SyncStatus } from './SyncStatusStore.js';
import type { UpstreamSync } from './UpstreamSync.js';

/** Dependencies of {@link SyncWorker}. */
export interface SyncWorkerDeps {
  connection: ConnectionOptions;
  prefix: string;
  registries: readonly RegistryConfig[];
  upstreams: ReadonlyMap<string, UpstreamSync>;
  files: ReadonlyMap<string, FileRegistrySource>;
  logger: Logger;
  /** `worker` config: parallel jobs (different registries), job lock duration, stalled-job check interval. */
  options: { concurrency: number; lockDuration: number; stalledInterval: number };
}

/** How long a job waits before trying again when its registry is being synced by another job. */
const BUSY_RETRY_MS = 1000;

/** What a job returns (kept in BullMQ's job record). */
export interface SyncJobResult {
  registry: string;
  outcome: 'done' | 'unknown-registry';
  phase?: SyncStatus['phase'];
  message?: string;
}

/**
 * The worker role: takes sync jobs from the queue and runs them. A job carries only the registry
 * name; the registry's own fleet-wide lock (owned by the job id) guarantees one sync per registry
 * at a time, and lets a retried job take over after its worker died (BullMQ moves the stalled job
 * back to the queue). Shutdown cancels in-flight runs through their AbortSignal and waits a
 * bounded time.
 */
export class SyncWorker {
  private readonly worker: Worker<SyncJobData, SyncJobResult>;

  constructor(private readonly deps: SyncWorkerDeps) {
    this.worker = new Worker<SyncJobData, SyncJobResult>(SYNC_QUEUE, (job, token, signal) => this.process(job, token, signal), {
      connection: deps.connection,
      prefix: bullPrefix(deps.prefix),
      concurrency: deps.options.concurrency,
      lockDuration: deps.options.lockDuration,
      stalledInterval: deps.options.stalledInterval,
      maxStalledCount: 3,
      autorun: true,
      // Stored on each job it runs (`processedBy`): which process runs a registry's sync.
      name: `${hostname()}:${process.pid}`,
    });
    this.worker.on('failed', (job, err) => deps.logger.warn('sync job failed', { registry: job?.data.registry, error: err.message }));
    this.worker.on('error', (err) => deps.logger.warn('sync worker error', { error: err.message }));
  }

  private async process(job: Job<SyncJobData, SyncJobResult>, jobToken?: string, signal?: AbortSignal): Promise<SyncJobResult> {
    const { registry, full } = job.data;
    const token = `job:${job.id ?? 'none'}`;
    const upstream = this.deps.upstreams.get(registry);
    const file = this.deps.files.get(registry);
    let status: SyncStatus | undefined;
    try {
      if (upstream) status = await upstream.run({ full: full === true, token, ...(signal ? { signal } : {}) });
      else if (file) status = await file.load({ token });
      else {
        this.deps.logger.info('sync job for a registry that is not configured (or has nothing to sync); ignored', { registry });
        return { registry, outcome: 'unknown-registry' };
      }
    } catch (err) {
      // Interrupted by this worker's shutdown: hand the job back at once, so another worker (or
      // this one after a restart) runs it; an accepted request is never dropped by a deploy.
      if (signal?.aborted) await this.postpone(job, jobToken, 0);
      throw err;
    }
    // Another run holds the registry's lock: try again shortly, without spending an attempt (a
    // "sync now" or forced full sync must run after the busy run, not minutes later or never).
    if (!status) return this.postpone(job, jobToken, BUSY_RETRY_MS);
    const result: SyncJobResult = { registry, outcome: 'done', phase: status.phase };
    if (status.message) result.message = status.message;
    return result;
  }

  /** Moves the job back to the queue after `ms` without counting an attempt. Never returns. */
  private async postpone(job: Job<SyncJobData, SyncJobResult>, jobToken: string | undefined, ms: number): Promise<never> {
    await job.moveToDelayed(Date.now() + ms, jobToken);
    throw new DelayedError();
  }

  /** Resolves once the worker is connected and taking jobs. */
  async ready(): Promise<void> {
    await this.worker.waitUntilReady();
  }

  /**
   * Cancels in-flight runs, stops taking jobs and waits (at most `timeoutMs`) until each run has
   * recorded its state and handed its job back, then disconnects without waiting for BullMQ's
   * blocking poll to time out.
   */
  async close(timeoutMs = 10_000): Promise<void> {
    this.worker.cancelAllJobs('the worker is shutting down');
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([this.worker.pause(), deadline]);
    clearTimeout(timer);
    await this.worker.close(true);
  }
}
