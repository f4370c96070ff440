/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Caps the request rate to one upstream: at most `perSecond` requests start in any second
 * (evenly spaced, no bursts). At most one sync per registry runs fleet-wide, so a per-process
 * limiter is the per-upstream limit.
 */
export class RateLimiter {
  private next = 0;
  private readonly spacingMs: number;

  constructor(perSecond: number) {
    this.spacingMs = 1000 / perSecond;
  }

  /** Waits for the next request slot. */
  async take(signal?: AbortSignal): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.next);
    this.next = at + this.spacingMs;
    if (at > now) await sleep(at - now, signal);
  }

  /** Pushes the next slot out (an upstream's `Retry-After`). */
  deferUntil(epochMs: number): void {
    this.next = Math.max(this.next, epochMs);
  }
}
