import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Server } from 'node:http';
import type { Redis } from 'ioredis';
import { AccessPolicy } from './access/AccessPolicy.js';
import { AnonymousAuthenticator, type Authenticator } from './auth/Authenticator.js';
import { OidcAuthenticator } from './auth/OidcAuthenticator.js';
import { ReadModelFollower } from './catalog/ReadModelFollower.js';
import { CatalogService } from './catalog/CatalogService.js';
import { EntryCache } from './catalog/EntryCache.js';
import type { CatalogStore } from './catalog/CatalogStore.js';
import type { CatalogWriter } from './catalog/CatalogWriter.js';
import { CursorCodec } from './catalog/cursor.js';
import type { Keys } from './catalog/keys.js';
import type { GatewayConfig } from './config/schema.js';
import type { Logger } from './observability/logger.js';
import { createMetrics, registerSyncHealthMetrics } from './observability/metrics.js';
import { PublishService } from './publish/PublishService.js';
import { ServerSchemaValidator } from './publish/schemaValidator.js';
import { RegistryService, type SyncControl } from './sync/RegistryService.js';
import type { SyncQueue } from './sync/SyncQueue.js';
import type { SyncStatusStore } from './sync/SyncStatusStore.js';
import { createApp } from './http/app.js';
import { createHttpServer } from './http/httpServer.js';
import { guardedStore } from './catalog/storeUnavailable.js';
import { redisReachable } from './redis/reachable.js';
import { CatalogStore as CatalogStoreClass } from './catalog/CatalogStore.js';
import { ModelChangeFeed } from './catalog/ChangeFeed.js';
import { createRedis } from './redis/createRedis.js';
import { EventStreams } from './events/EventStreams.js';
import { WebhookAdmin } from './webhooks/WebhookAdmin.js';
import { syncHealthSource } from './observability/syncHealthSource.js';
import { auditingLogger, AuditTrail } from './ui/AuditTrail.js';

/** What the API role needs from the process. */
export interface ApiDeps {
  config: GatewayConfig;
  logger: Logger;
  redis: Redis;
  keys: Keys;
  store: CatalogStore;
  writer: CatalogWriter;
  status: SyncStatusStore;
  queue: SyncQueue;
  /** Replaces the authenticator built from `auth` (tests). */
  authenticator?: Authenticator;
  env: NodeJS.ProcessEnv;
}

/** A listening API. */
export interface RunningApi {
  server: Server;
  url: string;
  index: ReadModelFollower;
  /** Ends every event stream cleanly and stops the change waiter (SIGTERM, before draining HTTP). */
  stopEvents(): void;
}

/**
 * Loading the read model parses every stored record once; without a full collection right after,
 * V8 sizes the heap for that transient peak and keeps the memory. One explicit GC at start-up
 * returns it (measured at 330k versions: RSS after load ~300 MB without, see BENCHMARKS.md).
 */
function collectLoadGarbage(): void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) {
    exposed();
    return;
  }
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Reads the fleet-wide cursor secret, creating it once. */
async function cursorSecret(redis: Redis, keys: Keys): Promise<Buffer> {
  await redis.set(keys.secret, randomBytes(32).toString('base64'), 'NX');
  const value = await redis.get(keys.secret);
  return Buffer.from(value as string, 'base64');
}

/**
 * The API half of the composition root (`main.ts` is the rest, and the only caller): builds the
 * read model from Redis, the authenticator, the services and the express app, and listens. Loaded
 * on demand by processes that serve HTTP, so workers never load express. Every Redis-facing object
 * is handed to the services through `guardedStore`, the one place store failures become 503s.
 * @throws when the port is taken.
 */
export async function startApi(deps: ApiDeps): Promise<RunningApi> {
  const { config, redis, keys } = deps;
  const store = guardedStore(deps.store);
  // With the console on, audit lines are also kept in Redis for its Activity page.
  const trail = config.ui.enabled ? new AuditTrail(redis, `${keys.base}audit`) : undefined;
  const logger = trail ? auditingLogger(deps.logger, trail) : deps.logger;
  let publicUrl = config.server.publicUrl ?? `http://localhost:${config.server.port}`;
  const authenticator =
    deps.authenticator ?? (config.auth.mode === 'none' ? new AnonymousAuthenticator() : new OidcAuthenticator(config, () => publicUrl, logger, deps.env));
  if (authenticator instanceof OidcAuthenticator) await authenticator.init();

  const registryNames = config.registries.map((r) => r.name);
  const index = new ReadModelFollower(store, registryNames, logger);
  await index.load();
  collectLoadGarbage();
  // Read by V8 at every full collection, so it takes effect when set at run time (config server.heapGrowingPercent).
  if (config.server.heapGrowingPercent > 0) setFlagsFromString(`--heap-growing-percent=${config.server.heapGrowingPercent}`);
  const access = new AccessPolicy(config.access, registryNames, config.auth.mode === 'none');
  const catalog = new CatalogService(
    index,
    store,
    new CursorCodec(await cursorSecret(redis, keys)),
    config.catalog.tombstoneRetention,
    new EntryCache(config.catalog.entryCacheBytes),
  );
  const registries = new RegistryService(
    config.registries,
    guardedStore(deps.status),
    guardedStore<SyncControl>({
      trigger: (registry, { full }) => deps.queue.enqueue(registry.name, full),
      nextRuns: () => deps.queue.nextRuns(),
    }),
  );
  const metrics = createMetrics();
  if (authenticator instanceof OidcAuthenticator) authenticator.registerMetrics(metrics.registry);
  registerSyncHealthMetrics(metrics.registry, syncHealthSource(config, deps.status, redis));
  const publisher = new PublishService(config.registries, config.publish, guardedStore(deps.writer), new ServerSchemaValidator(), logger);
  // The console (and Bull Board with it) is loaded only when enabled: an API without it stays lighter.
  const ui = trail
    ? (await import('./ui/consoleApp.js')).createConsole({ config, logger, redis, keyBase: keys.base, authenticator, access, trail, queues: [deps.queue.queue], publicUrl: () => publicUrl, env: deps.env })
    : undefined;
  const feed = new ModelChangeFeed({
    follower: index,
    renderer: catalog.renderer,
    waiterStore: new CatalogStoreClass(createRedis(config.redis, { logger, env: deps.env, use: 'worker', name: 'mcp-registry-gateway:api:events' }), keys),
    retentionMs: config.events.retention,
    tombstoneRetentionMs: config.catalog.tombstoneRetention,
  });
  const streams = new EventStreams(config.events.maxSubscribers, metrics.registry);
  const app = createApp({
    config,
    logger,
    catalog,
    registries,
    publisher,
    access,
    authenticator,
    health: { storeReachable: () => redisReachable(redis) },
    metrics,
    ...(ui ? { ui } : {}),
    events: { feed, streams },
    webhooks: new WebhookAdmin({ redis, keys, config, feed, connection: deps.queue.queue.opts.connection }),
    ...(authenticator instanceof OidcAuthenticator
      ? { wellKnown: { publicUrl: () => publicUrl, issuers: authenticator.issuers, scopesSupported: config.auth.scopesSupported } }
      : {}),
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = createHttpServer(app, config.server, logger);
    s.once('error', reject);
    s.listen(config.server.port, config.server.host, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const url = config.server.publicUrl ?? `http://${config.server.host === '0.0.0.0' ? 'localhost' : config.server.host}:${port}`;
  publicUrl = url;
  logger.info('gateway listening', { url, registries: registryNames });
  const stopEvents = () => {
    streams.closeAll();
    feed.close();
  };
  return { server, url, index, stopEvents };
}
