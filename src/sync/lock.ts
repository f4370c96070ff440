import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const RELEASE_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * Runs `fn` while holding a Redis lock (SET NX PX), so one process at a time does the work
 * fleet-wide. Returns `{ acquired: false }` without running `fn` when someone else holds it.
 */
export async function withLock<T>(redis: Redis, key: string, ttlMs: number, fn: () => Promise<T>): Promise<{ acquired: true; value: T } | { acquired: false }> {
  const token = randomUUID();
  const ok = await redis.set(key, token, 'PX', ttlMs, 'NX');
  if (ok !== 'OK') return { acquired: false };
  try {
    return { acquired: true, value: await fn() };
  } finally {
    await redis.eval(RELEASE_LUA, 1, key, token).catch(() => undefined);
  }
}
