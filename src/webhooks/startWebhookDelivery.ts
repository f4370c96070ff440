import type { ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { AccessPolicy } from '../access/AccessPolicy.js';
import { CatalogStore } from '../catalog/CatalogStore.js';
import { ModelChangeFeed } from '../catalog/ChangeFeed.js';
import type { Keys } from '../catalog/keys.js';
import { ReadModelFollower } from '../catalog/ReadModelFollower.js';
import { RowRenderer } from '../catalog/RowRenderer.js';
import { createRedis } from '../redis/createRedis.js';
import type { GatewayConfig } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';
import { secretKey } from './signature.js';
import { WebhookDelivery } from './WebhookDelivery.js';
import { webhookView } from './webhookView.js';
import { WebhookStore } from './WebhookStore.js';

/** What the worker role passes in. */
export interface WebhookDeliveryStartDeps {
  config: GatewayConfig;
  redis: Redis;
  keys: Keys;
  store: CatalogStore;
  connection: ConnectionOptions;
  logger: Logger;
  env: NodeJS.ProcessEnv;
}

/** A running delivery service. */
export interface RunningWebhookDelivery {
  close(timeoutMs: number): Promise<void>;
}

/**
 * Starts webhook delivery in a worker process (only when `webhooks:` is non-empty): a read model of
 * the catalogue for the feed (the worker otherwise keeps none), the receivers' views and keys, and
 * the BullMQ worker and dispatcher.
 * @throws when a receiver's secret variable is unset (the config loader reports it first).
 */
export async function startWebhookDelivery(deps: WebhookDeliveryStartDeps): Promise<RunningWebhookDelivery> {
  const { config, logger } = deps;
  const names = config.registries.map((r) => r.name);
  const follower = new ReadModelFollower(deps.store, names, logger);
  await follower.load();
  const feed = new ModelChangeFeed({
    follower,
    renderer: new RowRenderer(() => follower.model, deps.store),
    waiterStore: new CatalogStore(createRedis(config.redis, { logger, env: deps.env, use: 'worker', name: 'mcp-registry-gateway:worker:webhooks' }), deps.keys),
    retentionMs: config.events.retention,
    tombstoneRetentionMs: config.catalog.tombstoneRetention,
  });
  const access = new AccessPolicy(config.access, names, config.auth.mode === 'none');
  const hooks = config.webhooks.map((hook) => {
    const secret = deps.env[hook.secretEnv];
    if (!secret) throw new Error(`webhooks: environment variable ${hook.secretEnv} (secret of "${hook.name}") is not set`);
    return { config: hook, key: secretKey(secret), view: webhookView(access, hook, names) };
  });
  const delivery = new WebhookDelivery({
    connection: deps.connection,
    redis: deps.redis,
    keys: deps.keys,
    prefix: config.redis.prefix,
    feed,
    store: new WebhookStore(deps.redis, deps.keys, config.events.webhookHistory),
    hooks,
    options: { concurrency: config.events.webhookConcurrency, batchSize: config.events.batchSize },
    logger,
  });
  await delivery.start();
  logger.info('webhook delivery started', { webhooks: hooks.map((h) => h.config.name) });
  return {
    async close(timeoutMs) {
      await delivery.close(timeoutMs);
      feed.close();
    },
  };
}
