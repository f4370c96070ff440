import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const ACQUIRE_LUA = `
local cur = redis.call('GET', KEYS[1])
if cur == false or cur == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;
const RENEW_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/** Options for {@link withLock}. */
export interface LockOptions {
  /** Lock lifetime without renewal; renewed every third of it while `fn` runs. */
  ttlMs: number;
  /**
   * Owner token. Re-acquiring with the same token succeeds, so a retried job (same id) can take
   * over a lock its crashed predecessor left behind. Default: random.
   */
  token?: string;
}

/** Outcome of {@link withLock}. */
export type LockResult<T> = { acquired: true; value: T } | { acquired: false };

/**
 * Runs `fn` while holding a Redis lock, so one process at a time does the work fleet-wide. The
 * lock is renewed while `fn` runs; if renewal finds the lock lost, the signal passed to `fn`
 * aborts. Returns `{ acquired: false }` without running `fn` when another owner holds it.
 */
export async function withLock<T>(redis: Redis, key: string, options: LockOptions, fn: (signal: AbortSignal) => Promise<T>): Promise<LockResult<T>> {
  const token = options.token ?? randomUUID();
  const ok = await redis.eval(ACQUIRE_LUA, 1, key, token, options.ttlMs);
  if (ok !== 1) return { acquired: false };
  const lost = new AbortController();
  const timer = setInterval(() => {
    redis.eval(RENEW_LUA, 1, key, token, options.ttlMs).then(
      (renewed) => {
        if (renewed !== 1) lost.abort(new Error('lost the fleet-wide lock'));
      },
      () => undefined,
    );
  }, Math.max(100, Math.floor(options.ttlMs / 3)));
  timer.unref();
  try {
    return { acquired: true, value: await fn(lost.signal) };
  } finally {
    clearInterval(timer);
    await redis.eval(RELEASE_LUA, 1, key, token).catch(() => undefined);
  }
}
