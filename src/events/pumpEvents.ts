import type { ServerResponse } from 'node:http';
import type { CallerView } from '../access/AccessPolicy.js';
import { PositionExpiredError, type ChangeFeed, type FeedPosition } from '../catalog/ChangeFeed.js';
import type { Scope } from '../catalog/visibility.js';
import type { Logger } from '../observability/logger.js';
import type { Subscription } from './EventStreams.js';
import { HEARTBEAT_FRAME, resetFrame, serverFrame } from './sseFrames.js';

/** Tunables of one stream (the `events:` config block). */
export interface PumpLimits {
  heartbeat: number;
  maxBufferedBytes: number;
  stallTimeout: number;
  batchSize: number;
}

/** What one stream sends. */
export interface PumpInput {
  feed: ChangeFeed;
  view: CallerView;
  scope: Scope;
  /** Position to send changes after. */
  start: FeedPosition;
  res: ServerResponse;
  subscription: Subscription;
  limits: PumpLimits;
  logger: Logger;
}

/** Resolves true once `res` drains, false after `ms` or when `signal` aborts. */
function drained(res: ServerResponse, ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      res.off('drain', onDrain);
      signal.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onDrain = () => finish(true);
    const onAbort = () => finish(false);
    const timer = setTimeout(() => finish(false), ms);
    res.on('drain', onDrain);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Writes change events to one subscriber until it disconnects or the process shuts down. The
 * waiter is registered before each read, so a change committed while reading is never slept
 * through. Memory per subscriber is bounded: a subscriber whose unsent bytes exceed
 * `maxBufferedBytes`, or that does not read a backlog within `stallTimeout`, is disconnected (it
 * resumes with Last-Event-ID), never buffered without limit.
 */
export async function pumpEvents(input: PumpInput): Promise<void> {
  const { feed, view, scope, res, subscription: sub, limits, logger } = input;
  let position = input.start;
  let lastWrite = Date.now();
  while (!sub.signal.aborted) {
    // One controller per round, aborted with the subscription (AbortSignal.any per round would
    // pile dependent signals onto the long-lived subscription signal).
    const round = new AbortController();
    const endRound = () => round.abort();
    sub.signal.addEventListener('abort', endRound, { once: true });
    const changed = feed.waitForChange(limits.heartbeat, round.signal).finally(() => sub.signal.removeEventListener('abort', endRound));
    let more = false;
    try {
      const batch = await feed.read(view, scope, position, limits.batchSize);
      if (sub.signal.aborted) return;
      for (const item of batch.items) {
        res.write(serverFrame(item.id, item.row));
        sub.sent();
        lastWrite = Date.now();
        if (res.writableLength > limits.maxBufferedBytes) {
          logger.info('event subscriber too slow; disconnecting it', { buffered: res.writableLength });
          sub.close('slow-consumer', true);
          return;
        }
        // Past the socket's high-water mark, wait for the client to read before writing more.
        if (res.writableNeedDrain && !(await drained(res, limits.stallTimeout, sub.signal))) {
          if (!sub.signal.aborted) {
            logger.info('event subscriber stopped reading; disconnecting it', { buffered: res.writableLength });
            sub.close('slow-consumer', true);
          }
          return;
        }
      }
      position = batch.next;
      more = batch.items.length >= limits.batchSize;
    } catch (err) {
      round.abort();
      if (err instanceof PositionExpiredError) {
        res.write(resetFrame(err.message));
        sub.close('reset');
        return;
      }
      // Redis unavailable or similar: end the stream; the client resumes with Last-Event-ID.
      logger.warn('event stream ended by an error', { error: (err as Error).message });
      sub.close('error');
      return;
    }
    if (more) {
      round.abort();
      continue;
    }
    await changed;
    if (!sub.signal.aborted && Date.now() - lastWrite >= limits.heartbeat - 50) {
      res.write(HEARTBEAT_FRAME);
      lastWrite = Date.now();
    }
  }
}
