import { Cluster, Redis } from 'ioredis';
import type { Logger } from '../observability/logger.js';
import { redisTarget, type ClientUse, type RedisConfig } from './redisOptions.js';

/** Options for {@link createRedis}. */
export interface CreateRedisOptions {
  /** Which behaviour (see {@link ClientUse}). Default `api`. */
  use?: ClientUse;
  /** Environment holding the passwords the config names. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Connection name (`CLIENT LIST`). */
  name?: string;
}

/**
 * Creates a client for the configured topology (one node, Sentinel or Cluster) that keeps
 * reconnecting with capped backoff and logs state changes without passwords.
 *
 * A Cluster client is returned under the `Redis` type: the gateway keeps every key under one hash
 * tag and uses only commands both classes share, so the callers need not know the topology.
 * @throws when `redis.tls.caFile` cannot be read.
 */
export function createRedis(config: RedisConfig, options: CreateRedisOptions = {}): Redis {
  const target = redisTarget(config, options.env ?? process.env, { use: options.use ?? 'api', name: options.name ?? 'mcp-registry-gateway' });
  const client =
    target.kind === 'cluster'
      ? (new Cluster(target.nodes, target.options) as unknown as Redis)
      : target.url
        ? new Redis(target.url, target.options)
        : new Redis(target.options);
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
