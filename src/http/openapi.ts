/**
 * The gateway's own OpenAPI 3.1 document (`GET /openapi.json`). It describes the official MCP
 * Registry v0.1 routes as this gateway serves them (aggregated and per registry), the write routes
 * of managed registries, the admin routes and the operational endpoints, and says in each
 * description where the gateway differs from or extends the official registry.
 *
 * The parts live in `./openapi/`: `readOperations`, `writeOperations` and `adminOperations` build
 * the paths, `components` (with `catalogSchemas` and `adminSchemas`) the reusable components, and
 * `shared` holds the helpers; this module assembles them in document order.
 */

import { OFFICIAL_META_KEY } from '../catalog/types.js';
import { adminOperations } from './openapi/adminOperations.js';
import { buildComponents } from './openapi/components.js';
import { eventOperations } from './openapi/eventOperations.js';
import { readOperations } from './openapi/readOperations.js';
import { createOpenApiContext, type Json } from './openapi/shared.js';
import { writeOperations } from './openapi/writeOperations.js';

/** Options of {@link buildOpenApiDocument}. */
export interface OpenApiOptions {
  /** The gateway's public base URL (`server.publicUrl`); becomes `servers[0].url` when given. */
  publicUrl?: string;
  /** The gateway's version (`info.version`). */
  version: string;
  /** Whether OIDC bearer auth is on (`auth.mode: oidc`): adds the security scheme, 401s and RFC 9728 metadata. */
  authEnabled: boolean;
  /** The gateway's own reverse-DNS `_meta` key (see `GATEWAY_META_KEY`). */
  gatewayMetaKey: string;
  /** `api.maxPageSize` (default 100): the largest `limit` accepted. */
  maxPageSize?: number;
  /** `api.defaultPageSize` (default 30): the page size when `limit` is absent. */
  defaultPageSize?: number;
}

/**
 * Builds the gateway's OpenAPI 3.1.0 document. Pure: the same options give the same document, so
 * callers may build it once at start-up and serve the serialised text.
 *
 * @param options - public URL, gateway version, whether auth is on, the gateway `_meta` key, and
 *   optionally the configured page sizes.
 * @returns the document as a plain JSON-serialisable object.
 */
export function buildOpenApiDocument(options: OpenApiOptions): Record<string, unknown> {
  const { authEnabled, gatewayMetaKey } = options;
  const ctx = createOpenApiContext({
    authEnabled,
    gatewayMetaKey,
    maxPageSize: options.maxPageSize ?? 100,
    defaultPageSize: options.defaultPageSize ?? 30,
  });

  const aggregated = readOperations(ctx, false);
  const perRegistry = readOperations(ctx, true);
  const writes = writeOperations(ctx);

  const paths: Json = {
    '/v0.1/servers': aggregated.list,
    '/v0.1/servers/{serverName}/versions': aggregated.versions,
    '/v0.1/servers/{serverName}/versions/{version}': aggregated.version,
    '/{registryName}/v0.1/servers': perRegistry.list,
    '/{registryName}/v0.1/servers/{serverName}/versions': perRegistry.versions,
    '/{registryName}/v0.1/servers/{serverName}/versions/{version}': { ...perRegistry.version, ...writes.versionMethods },
    ...writes.paths,
    ...adminOperations(ctx),
    ...eventOperations(ctx),
  };

  const components = buildComponents(ctx);

  const description = [
    'A federation gateway for MCP server registries. It keeps a synchronised index of several registries (upstream MCP registries, ' +
      'curated files and managed registries people publish into) and serves one curated, access-controlled catalogue through an API ' +
      'compatible with the official MCP Registry v0.1.',
    '',
    '- **Aggregated** routes (`/v0.1/...`) serve the merged catalogue; **per-registry** routes (`/{registryName}/v0.1/...`) one ' +
      'registry\'s view. `/v0/...` is an alias of `/v0.1/...` everywhere.',
    '- Every error is RFC 9457 `application/problem+json`. Every response carries `X-Request-Id` (a well-formed incoming one is kept).',
    '- Read routes send CORS headers (`Access-Control-Allow-Origin: *`) for browser clients.',
    `- Each entry carries the official \`_meta["${OFFICIAL_META_KEY}"]\` block and the gateway's own \`_meta["${gatewayMetaKey}"]\` block.`,
    authEnabled
      ? '- Authentication: optional OIDC bearer tokens. Anonymous calls are allowed and see what `access.rules` grant `$anonymous`; ' +
        'invisible things are 404, exactly like missing ones.'
      : '- Authentication is off on this gateway: every caller is anonymous.',
  ].join('\n');

  const doc: Json = {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    info: {
      title: 'MCP Registry Federation Gateway API',
      version: options.version,
      summary: 'One curated MCP server catalogue federated from many registries, compatible with the official MCP Registry API v0.1.',
      description,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    ...(options.publicUrl ? { servers: [{ url: options.publicUrl.replace(/\/+$/, '') || options.publicUrl }] } : {}),
    tags: [
      { name: 'servers', description: 'The aggregated catalogue (official v0.1 read API; also under `/v0`).' },
      { name: 'registry servers', description: 'One registry\'s view (official v0.1 read API under `/{registryName}`; also `/{registryName}/v0`).' },
      { name: 'publish', description: 'Publishing and editing in managed registries.' },
      { name: 'admin', description: 'Registries and their sync status (admins only).' },
      { name: 'events', description: 'Change events as Server-Sent Events (aggregated and per registry).' },
      { name: 'operations', description: 'Health, readiness, metrics and API documentation.' },
    ],
    paths,
    components,
  };
  if (authEnabled) doc.security = [{}, { bearerAuth: [] }];
  return doc;
}
