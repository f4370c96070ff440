import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { Redis } from 'ioredis';
import { AccessPolicy } from './access/AccessPolicy.js';
import { AnonymousAuthenticator, type Authenticator } from './auth/Authenticator.js';
import { OidcAuthenticator } from './auth/OidcAuthenticator.js';
import { CatalogIndex } from './catalog/CatalogIndex.js';
import { CatalogService } from './catalog/CatalogService.js';
import { CatalogStore } from './catalog/CatalogStore.js';
import { CursorCodec } from './catalog/cursor.js';
import { Keys } from './catalog/keys.js';
import { createRedis, waitForRedis } from './catalog/redisClient.js';
import type { FileRegistryConfig, GatewayConfig, UpstreamRegistryConfig } from './config/schema.js';
import { createApp } from './http/app.js';
import type { Logger } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';
import { PublishService } from './publish/PublishService.js';
import { ServerSchemaValidator } from './publish/schemaValidator.js';
import { FileRegistrySource } from './sync/FileRegistrySource.js';
import { RegistryService } from './sync/RegistryService.js';
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

/** Reads the fleet-wide cursor secret, creating it once. */
async function cursorSecret(redis: Redis, keys: Keys): Promise<Buffer> {
  await redis.set(keys.secret, randomBytes(32).toString('base64'), 'NX');
  const value = await redis.get(keys.secret);
  return Buffer.from(value as string, 'base64');
}

function buildAuthenticator(config: GatewayConfig, logger: Logger, publicUrl: () => string, env: NodeJS.ProcessEnv): Authenticator {
  if (config.auth.mode === 'none') return new AnonymousAuthenticator();
  return new OidcAuthenticator(config, publicUrl, logger, env);
}

/**
 * Starts the gateway: connects Redis, records the configured registries, then (role worker/all)
 * loads and watches file registries and (role api/all) builds the read model and serves HTTP.
 * @throws when Redis stays unreachable past the start-up timeout, or the port is taken.
 */
export async function startGateway(options: StartOptions): Promise<GatewayHandle> {
  const { config, logger } = options;
  const role = options.role ?? 'all';
  let listeningUrl = config.server.publicUrl ?? `http://localhost:${config.server.port}`;
  const authenticator = options.authenticator ?? buildAuthenticator(config, logger, () => listeningUrl, options.env ?? process.env);
  if (authenticator instanceof OidcAuthenticator) await authenticator.init();
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
  if (role !== 'api') {
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
  }

  let server: Server | undefined;
  let url: string | undefined;
  let index: CatalogIndex | undefined;
  if (role !== 'worker') {
    const registryNames = config.registries.map((r) => r.name);
    index = new CatalogIndex(store, registryNames, logger);
    await index.load();
    const access = new AccessPolicy(config.access, registryNames);
    const catalog = new CatalogService(index, store, new CursorCodec(await cursorSecret(redis, keys)));
    const registries = new RegistryService(config.registries, status, {
      trigger: (registry, { full }) => queue.enqueue(registry.name, full),
      nextRuns: () => queue.nextRuns(),
    });
    const publisher = new PublishService(config.registries, config.publish, index, store, new ServerSchemaValidator(), logger);
    const app = createApp({
      config,
      logger,
      redis,
      catalog,
      registries,
      publisher,
      access,
      authenticator,
      metrics: createMetrics(),
      ...(authenticator instanceof OidcAuthenticator
        ? { wellKnown: { ...(config.server.publicUrl ? { publicUrl: config.server.publicUrl } : {}), issuers: authenticator.issuers, scopesSupported: config.auth.scopesSupported } }
        : {}),
    });
    server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(config.server.port, config.server.host, () => resolve(s));
      s.once('error', reject);
    });
    server.keepAliveTimeout = 65_000;
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.server.port;
    url = config.server.publicUrl ?? `http://${config.server.host === '0.0.0.0' ? 'localhost' : config.server.host}:${port}`;
    listeningUrl = url;
    logger.info('gateway listening', { url, role, registries: registryNames });
  }

  const close = async () => {
    for (const source of fileSources) source.stop();
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
  if (server) handle.server = server;
  if (url) handle.url = url;
  if (index) handle.index = index;
  return handle;
}

/** A Redis URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the configured Redis URL';
  }
}
