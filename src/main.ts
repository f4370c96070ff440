import type { Server } from 'node:http';
import type { Redis } from 'ioredis';
import type { ReadModelFollower } from './catalog/ReadModelFollower.js';
import type { Authenticator } from './auth/Authenticator.js';
import type { RunningApi } from './apiRole.js';
import { CatalogStore } from './catalog/CatalogStore.js';
import { CatalogWriter } from './catalog/CatalogWriter.js';
import { Keys } from './catalog/keys.js';
import { createRedis, waitForRedis } from './redis/createRedis.js';
import { redisUnreachable } from './redis/redisOptions.js';
import type { FileRegistryConfig, GatewayConfig, UpstreamRegistryConfig } from './config/schema.js';
import type { Logger } from './observability/logger.js';
import { FileRegistrySource } from './sync/FileRegistrySource.js';
import { SyncQueue } from './sync/SyncQueue.js';
import { SyncStatusStore } from './sync/SyncStatusStore.js';
import { SyncWorker } from './sync/SyncWorker.js';
import { UpstreamSync } from './sync/UpstreamSync.js';

/** Which parts of the gateway a process runs. */
export type Role = 'api' | 'worker' | 'all';

/** Options for {@link startGateway}. */
export interface StartOptions {
  config: GatewayConfig;
  logger: Logger;
  /** Default `all`. */
  role?: Role;
  /** How long to wait for Redis at start-up before giving up. Default 30 s. */
  redisStartupTimeoutMs?: number;
  /** Replaces the authenticator (auth.mode none → anonymous). */
  authenticator?: Authenticator;
  /** Environment for secrets named by the config (`auth.tokenEnv`). Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Overrides the upstream HTTP client's retry tunables (tests). */
  upstreamClient?: ConstructorParameters<typeof UpstreamSync>[1]['client'];
}

/** A running gateway. */
export interface GatewayHandle {
  /** The HTTP server (roles api/all). */
  server?: Server;
  /** Base URL the API listens on (roles api/all). */
  url?: string;
  redis: Redis;
  index?: ReadModelFollower;
  fileSources: FileRegistrySource[];
  upstreams: Map<string, UpstreamSync>;
  queue: SyncQueue;
  worker?: SyncWorker;
  /** Drains HTTP, stops watchers and closes Redis, within `server.shutdownTimeout`. */
  close(): Promise<void>;
}

/**
 * Starts the gateway: connects Redis, records the configured registries, then (role worker/all)
 * loads and watches file registries and (role api/all) builds the read model and serves HTTP.
 * @throws when Redis stays unreachable past the start-up timeout, or the port is taken.
 */
export async function startGateway(options: StartOptions): Promise<GatewayHandle> {
  const { config, logger } = options;
  const role = options.role ?? 'all';
  const env = options.env ?? process.env;
  // The API's own client times out slow commands (a bounded 503); the worker's waits for its
  // long pipelines. Role `all` opens both, so a sync never slows the API's connection either.
  const redis = createRedis(config.redis, { logger, env, use: role === 'api' ? 'api' : 'worker', name: `mcp-registry-gateway:${role}` });
  const apiRedis = role === 'all' ? createRedis(config.redis, { logger, env, use: 'api', name: 'mcp-registry-gateway:api' }) : redis;
  try {
    await Promise.all([redis, apiRedis].map((c) => waitForRedis(c, options.redisStartupTimeoutMs ?? 30_000)));
  } catch {
    for (const c of new Set([redis, apiRedis])) c.disconnect();
    throw redisUnreachable(config.redis);
  }
  const keys = new Keys(config.redis.prefix);
  const store = new CatalogStore(redis, keys);
  const writer = CatalogWriter.forConfig(redis, keys, config.catalog);
  const status = new SyncStatusStore(redis, keys);
  await status.reconcile(config.registries);

  const fileSources = config.registries
    .filter((r): r is FileRegistryConfig => r.type === 'file')
    .map((r) => new FileRegistrySource(r, { redis, writer, status, logger }));
  const upstreams = new Map(
    config.registries
      .filter((r): r is UpstreamRegistryConfig => r.type === 'upstream')
      .map((r) => [r.name, new UpstreamSync(r, { redis, writer, status, logger, ...(options.env ? { env: options.env } : {}), ...(options.upstreamClient ? { client: options.upstreamClient } : {}) })] as const),
  );
  // BullMQ's workers and schedulers need a connection that waits (not fails fast) while Redis
  // reconnects; the API only adds jobs, and must fail fast like every other API command.
  const bullRedis = role === 'api' ? undefined : createRedis(config.redis, { logger, env, use: 'queue', name: `mcp-registry-gateway:${role}:queue` });
  const queue = new SyncQueue(bullRedis ?? apiRedis, config.redis.prefix);
  const apiQueue = bullRedis && role === 'all' ? new SyncQueue(apiRedis, config.redis.prefix) : queue;
  let worker: SyncWorker | undefined;
  let webhooks: { close(timeoutMs: number): Promise<void> } | undefined;
  const followers: Array<{ close(): Promise<void> }> = [];
  if (bullRedis) {
    for (const r of config.registries) {
      const moved = await writer.migrateLegacyEntries(r.name);
      if (moved > 0) logger.info('moved catalogue entries to the current storage format', { registry: r.name, entries: moved });
    }
    for (const source of fileSources) {
      await source.load().catch((err: Error) => logger.error('file registry load failed', { registry: source.config.name, error: err.message }));
      source.watch();
    }
    await queue.reconcile(config.registries, logger);
    worker = new SyncWorker({
      connection: bullRedis,
      prefix: config.redis.prefix,
      registries: config.registries,
      upstreams,
      files: new Map(fileSources.map((s) => [s.config.name, s])),
      logger,
      options: config.worker,
    });
    await worker.ready();
    for (const sync of upstreams.values()) {
      if (sync.config.sync.follow !== 'events') continue;
      const { EventFollower } = await import('./sync/EventFollower.js');
      const token = sync.config.auth ? (options.env ?? process.env)[sync.config.auth.tokenEnv] : undefined;
      const follower = new EventFollower(sync.config, { redis, writer, status, logger, poll: (signal) => sync.run({ signal }), ...(token ? { token } : {}) });
      follower.start();
      followers.push(follower);
    }
    if (config.webhooks.length > 0) {
      const { startWebhookDelivery } = await import('./webhooks/startWebhookDelivery.js');
      webhooks = await startWebhookDelivery({ config, redis, keys, store, connection: bullRedis, logger, env: options.env ?? process.env });
    }
  }

  let api: RunningApi | undefined;
  if (role !== 'worker') {
    // Imported on demand: a worker never loads express, auth or the read model.
    const { startApi } = await import('./apiRole.js');
    api = await startApi({
      config,
      logger,
      redis: apiRedis,
      keys,
      store: apiRedis === redis ? store : new CatalogStore(apiRedis, keys),
      writer: apiRedis === redis ? writer : CatalogWriter.forConfig(apiRedis, keys, config.catalog),
      status: apiRedis === redis ? status : new SyncStatusStore(apiRedis, keys),
      queue: apiQueue,
      env,
      ...(options.authenticator ? { authenticator: options.authenticator } : {}),
    });
  }
  const server = api?.server;

  const close = async () => {
    api?.stopEvents();
    for (const source of fileSources) source.stop();
    await Promise.all(followers.map((f) => f.close()));
    await webhooks?.close(config.server.shutdownTimeout);
    await worker?.close(config.server.shutdownTimeout);
    if (server) {
      const s = server;
      await new Promise<void>((resolve) => {
        // Keep-alive connections go idle only once their in-flight request is answered: close
        // them as they do, so a drained server exits at once rather than at the deadline.
        const idle = setInterval(() => s.closeIdleConnections(), 50);
        const timer = setTimeout(() => {
          clearInterval(idle);
          s.closeAllConnections();
          resolve();
        }, config.server.shutdownTimeout);
        s.close(() => {
          clearTimeout(timer);
          clearInterval(idle);
          resolve();
        });
        s.closeIdleConnections();
      });
    }
    if (apiQueue !== queue) await apiQueue.close().catch(() => undefined);
    await queue.close().catch(() => undefined);
    for (const c of new Set([bullRedis, apiRedis, redis])) await c?.quit().catch(() => c.disconnect());
  };
  const handle: GatewayHandle = { redis, fileSources, upstreams, queue, close };
  if (worker) handle.worker = worker;
  if (api) Object.assign(handle, api);
  return handle;
}
