import type { Server } from 'node:http';
import type { Redis } from 'ioredis';
import type { CatalogIndex } from './catalog/CatalogIndex.js';
import type { Authenticator } from './auth/Authenticator.js';
import type { RunningApi } from './http/startApi.js';
import { CatalogStore } from './catalog/CatalogStore.js';
import { Keys } from './catalog/keys.js';
import { createRedis, waitForRedis } from './catalog/redisClient.js';
import type { FileRegistryConfig, GatewayConfig, UpstreamRegistryConfig } from './config/schema.js';
import type { Logger } from './observability/logger.js';
import { redactUrl } from './observability/redact.js';
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
  index?: CatalogIndex;
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
  const redis = createRedis(config.redis.url, { logger, name: `mcp-registry-gateway:${role}` });
  try {
    await waitForRedis(redis, options.redisStartupTimeoutMs ?? 30_000);
  } catch {
    redis.disconnect();
    throw new Error(`Redis at ${redactUrl(config.redis.url)} is unreachable. Start Redis or set REDIS_URL / redis.url.`);
  }
  const keys = new Keys(config.redis.prefix);
  const store = new CatalogStore(redis, keys);
  const status = new SyncStatusStore(redis, keys);
  await status.reconcile(config.registries);

  const fileSources = config.registries
    .filter((r): r is FileRegistryConfig => r.type === 'file')
    .map((r) => new FileRegistrySource(r, { redis, store, status, logger }));
  const upstreams = new Map(
    config.registries
      .filter((r): r is UpstreamRegistryConfig => r.type === 'upstream')
      .map((r) => [r.name, new UpstreamSync(r, { redis, store, status, logger, ...(options.env ? { env: options.env } : {}), ...(options.upstreamClient ? { client: options.upstreamClient } : {}) })] as const),
  );
  // BullMQ needs connections that wait (not fail fast) while Redis reconnects.
  const bullRedis = createRedis(config.redis.url, { logger, name: `mcp-registry-gateway:${role}:queue`, failFast: false, extra: { maxRetriesPerRequest: null } });
  const queue = new SyncQueue(bullRedis, config.redis.prefix);
  let worker: SyncWorker | undefined;
  let webhooks: { close(timeoutMs: number): Promise<void> } | undefined;
  const followers: Array<{ close(): Promise<void> }> = [];
  if (role !== 'api') {
    const backfilled = await store.backfillHolders(config.registries.map((r) => r.name));
    if (backfilled > 0) logger.info('recorded which registries hold each stored name', { names: backfilled });
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
      const follower = new EventFollower(sync.config, { redis, store, status, logger, poll: (signal) => sync.run({ signal }), ...(token ? { token } : {}) });
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
    const { startApi } = await import('./http/startApi.js');
    api = await startApi({
      config,
      logger,
      redis,
      keys,
      store,
      status,
      queue,
      env: options.env ?? process.env,
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
        const timer = setTimeout(() => {
          s.closeAllConnections();
          resolve();
        }, config.server.shutdownTimeout);
        s.close(() => {
          clearTimeout(timer);
          resolve();
        });
        s.closeIdleConnections();
      });
    }
    await queue.close().catch(() => undefined);
    await bullRedis.quit().catch(() => bullRedis.disconnect());
    await redis.quit().catch(() => redis.disconnect());
  };
  const handle: GatewayHandle = { redis, fileSources, upstreams, queue, close };
  if (worker) handle.worker = worker;
  if (api) Object.assign(handle, api);
  return handle;
}
