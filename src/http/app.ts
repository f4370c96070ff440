import express from 'express';
import type { Authenticator } from '../auth/Authenticator.js';
import type { ChangeFeed } from '../catalog/ChangeFeed.js';
import type { EventStreams } from '../events/EventStreams.js';
import type { WebhookAdmin } from '../webhooks/WebhookAdmin.js';
import { GATEWAY_META_KEY } from '../catalog/types.js';
import type { GatewayConfig } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { ConsoleMount } from '../ui/consoleApp.js';
import { GATEWAY_VERSION } from '../version.js';
import { errorHandler, notFoundHandler } from './middleware/errorHandler.js';
import { CORS_HEADERS, cors, pathGuards } from './middleware/guards.js';
import { securityHeaderList, securityHeaders } from './middleware/securityHeaders.js';
import { catalogReads } from './catalogReads.js';
import { hotReads } from './hotReads.js';
import type { AppListener } from './httpServer.js';
import { principalMiddleware } from './middleware/principal.js';
import { requestContextMiddleware } from './middleware/requestContext.js';
import { buildOpenApiDocument } from './openapi.js';
import type { AccessViews, CatalogReads, HealthProbe, Publishing, RegistryAdmin } from './ports.js';
import { docsRoutes } from './routes/docs.js';
import { eventRoutes } from './routes/events.js';
import { webhookRoutes } from './routes/webhooks.js';
import { healthRoutes } from './routes/health.js';
import { publishRoutes } from './routes/publish.js';
import { registryRoutes } from './routes/registries.js';
import { serverRoutes } from './routes/servers.js';
import { wellKnownRoutes, type WellKnownDeps } from './routes/wellKnown.js';
import './types.js';

/** Everything the HTTP app needs, passed in as interfaces (no hidden singletons, no Redis). */
export interface AppDeps {
  config: GatewayConfig;
  logger: Logger;
  catalog: CatalogReads;
  registries: RegistryAdmin;
  publisher: Publishing;
  access: AccessViews;
  authenticator: Authenticator;
  /** `/readyz`: the store answers, and anything else readiness needs (the read model has loaded). */
  health: HealthProbe;
  metrics?: Metrics;
  /** RFC 9728 metadata, when auth is on. */
  wellKnown?: WellKnownDeps;
  /** The operator console (`ui.enabled`), see `createConsole`. */
  ui?: ConsoleMount;
  /** Change events (`/v0.1/events`): the feed and this process's open streams. */
  events?: { feed: ChangeFeed; streams: EventStreams };
  /** `GET /v0.1/webhooks` and redelivery. */
  webhooks?: WebhookAdmin;
}

/**
 * Builds the gateway's request listener: official v0.1 read routes (aggregated and per registry),
 * admin registry routes, write routes, health and metrics, with request ids, CORS, problem+json
 * errors. An express app, with the catalogue reads' canonical spellings answered before it by the
 * hot path (`hotReads.ts`), which shares the read routes' implementation.
 */
export function createApp(deps: AppDeps): AppListener {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.server.trustProxy);
  app.set('etag', false);

  app.use(requestContextMiddleware(deps.logger, deps.metrics));
  app.use(securityHeaders);
  if (deps.ui) app.use(deps.ui.early);
  app.use(pathGuards);
  app.use(cors);
  app.use(healthRoutes({ health: deps.health, ...(deps.metrics ? { metrics: deps.metrics } : {}) }));

  const document = buildOpenApiDocument({
    ...(deps.config.server.publicUrl ? { publicUrl: deps.config.server.publicUrl } : {}),
    version: GATEWAY_VERSION,
    authEnabled: deps.config.auth.mode === 'oidc',
    gatewayMetaKey: GATEWAY_META_KEY,
    maxPageSize: deps.config.api.maxPageSize,
    defaultPageSize: deps.config.api.defaultPageSize,
  });
  app.use(docsRoutes({ document }));

  if (deps.wellKnown) app.use(wellKnownRoutes(deps.wellKnown));

  app.use(principalMiddleware(deps.authenticator, deps.access));
  // The catalogue reads are the hot routes: mounted first, so a read walks no other router.
  const readDeps = { catalog: deps.catalog, access: deps.access, api: deps.config.api, perCaller: deps.config.auth.mode !== 'none' };
  const reads = serverRoutes(readDeps);
  app.use(['/v0.1', '/v0', '/:registryName/v0.1', '/:registryName/v0'], reads);
  if (deps.ui) app.use(deps.ui.authenticated);

  const admin = registryRoutes({ registries: deps.registries, access: deps.access, authenticator: deps.authenticator, logger: deps.logger });
  app.use('/v0.1', admin);
  app.use('/v0', admin);
  app.use(publishRoutes({ publisher: deps.publisher, catalog: deps.catalog, access: deps.access, authenticator: deps.authenticator, publish: deps.config.publish }));

  if (deps.webhooks) {
    const hooks = webhookRoutes({ admin: deps.webhooks, access: deps.access, authenticator: deps.authenticator, logger: deps.logger });
    app.use(['/v0.1', '/v0'], hooks);
  }
  if (deps.events) {
    const events = eventRoutes({ ...deps.events, catalog: deps.catalog, access: deps.access, events: deps.config.events, logger: deps.logger });
    app.use(['/v0.1', '/v0', '/:registryName/v0.1', '/:registryName/v0'], events);
  }

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));

  const hot = hotReads({
    answer: catalogReads(readDeps),
    authenticator: deps.authenticator,
    access: deps.access,
    perCaller: readDeps.perCaller,
    baseHeaders: [...securityHeaderList(), ...CORS_HEADERS],
    cookieSessions: deps.ui !== undefined,
    logger: deps.logger,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });
  const slow = app as unknown as AppListener;
  return (req, res, next) => {
    if (!hot(req, res)) slow(req, res, next);
  };
}
