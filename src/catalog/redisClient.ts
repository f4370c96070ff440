import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../observability/logger.js';

/** Options for {@link createRedis}. */
export interface CreateRedisOptions {
  /** Fail commands at once while disconnected (API path: a request gets a 503, not a hang). Default true. */
  failFast?: boolean;
  /** Extra ioredis options (BullMQ needs `maxRetriesPerRequest: null`). */
  extra?: RedisOptions;
  logger?: Logger;
  name?: string;
}

/**
 * Creates an ioredis client that keeps reconnecting (capped backoff) and logs state changes
 * without the URL's password.
 */
export function createRedis(url: string, options: CreateRedisOptions = {}): Redis {
  const failFast = options.failFast ?? true;
  const client = new Redis(url, {
    lazyConnect: false,
    enableOfflineQueue: !failFast,
    maxRetriesPerRequest: failFast ? 1 : null,
    connectTimeout: 5000,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
    connectionName: options.name ?? 'mcp-registry-gateway',
    ...options.extra,
  });
  let down = false;
  client.on('error', (err: Error) => {
    if (!down) options.logger?.warn('redis connection problem', { client: options.name, error: err.message });
    down = true;
  });
  client.on('ready', () => {
    if (down) options.logger?.info('redis connection restored', { client: options.name });
    down = false;
  });
  return client;
}

/** Waits until the client is ready, or rejects after `timeoutMs`. */
export async function waitForRedis(client: Redis, timeoutMs = 5000): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis not reachable within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      client.off('ready', onReady);
    };
    client.on('ready', onReady);
  });
}
