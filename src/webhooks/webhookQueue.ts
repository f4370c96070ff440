import type { JobsOptions, Queue } from 'bullmq';

/** BullMQ queue of webhook deliveries: separate from `sync`, so a slow receiver never delays syncs. */
export const WEBHOOK_QUEUE = 'webhooks';

/** Payload of a delivery job: which receiver to bring up to date. */
export interface WebhookJobData {
  webhook: string;
}

/** Attempts of one delivery job before BullMQ gives up (the dispatcher then starts a new one). */
const ATTEMPTS = 10_000;

/**
 * The job id of a receiver's delivery job. One id per receiver makes BullMQ hold at most one job per
 * receiver (waiting, active or backing off): deliveries to one receiver never run in parallel, and a
 * job backing off keeps its delay.
 */
export function webhookJobId(webhook: string): string {
  return `wh-${webhook}`;
}

/** Options of a delivery job: custom exponential backoff (see the worker), removed when done. */
export function webhookJobOptions(webhook: string): JobsOptions {
  return { jobId: webhookJobId(webhook), attempts: ATTEMPTS, backoff: { type: 'webhook' }, removeOnComplete: true, removeOnFail: true };
}

/** Asks for a delivery run for `webhook` (a no-op while one is waiting, running or backing off). */
export async function kickWebhook(queue: Queue<WebhookJobData>, webhook: string): Promise<void> {
  await queue.add('deliver', { webhook }, webhookJobOptions(webhook));
}
