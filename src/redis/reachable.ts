import type { Redis } from 'ioredis';

/** How long a reachability probe waits for `PONG` by default. */
export const PING_TIMEOUT_MS = 1000;

/**
 * True when Redis answers `PING` within `timeoutMs` (default {@link PING_TIMEOUT_MS}); never throws.
 */
export async function redisReachable(redis: Redis, timeoutMs = PING_TIMEOUT_MS): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
    });
    // The ping may reject after the race is decided (redis.commandTimeout): never leave that unhandled.
    return (await Promise.race([redis.ping().catch(() => undefined), timeout])) === 'PONG';
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
