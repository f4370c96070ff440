/**
 * The admin routes (registries and their sync) and the operational endpoints (health and readiness
 * probes, metrics, this document, the docs page and, with auth on, RFC 9728 metadata).
 */

import { json, ref, schemaRef, type Json, type OpenApiContext } from './shared.js';

/**
 * Builds the admin and operational path items.
 *
 * @param ctx - the document context; with `authEnabled` the operational endpoints are marked open
 *   (`security: []`) and `/.well-known/oauth-protected-resource` is added last.
 * @returns the path items, in document order.
 */
export function adminOperations(ctx: OpenApiContext): Json {
  const { op, responses, authEnabled } = ctx;

  const paths: Json = {
    // ---- admin -------------------------------------------------------------------------------
    '/v0.1/registries': {
      get: op({
        tags: ['admin'],
        operationId: 'listRegistries',
        summary: 'List the configured registries and their sync status',
        description: 'Admins only (a group in `access.admins`); others get 403. Registries are listed in priority order (config order).',
        responses: responses({ '200': json('The registries.', schemaRef('RegistryList')) }, [403, 503]),
      }),
    },
    '/v0.1/registries/{registryName}': {
      get: op({
        tags: ['admin'],
        operationId: 'getRegistry',
        summary: 'Get one registry and its sync status',
        description: 'Admins only; others get 403.',
        parameters: [ref('parameters', 'RegistryName')],
        responses: responses({ '200': json('The registry.', schemaRef('Registry')) }, [403, 404, 503]),
      }),
    },
    '/v0.1/registries/{registryName}/sync': {
      post: op({
        tags: ['admin'],
        operationId: 'syncRegistry',
        summary: 'Sync a registry now',
        description:
          'Admins only; others get 403. Queues a sync and returns at once (202) — follow progress in `syncStatus`. At most one sync per ' +
          'registry runs across the fleet. Managed registries have nothing to sync (409); a process that cannot start syncs answers 501.',
        parameters: [ref('parameters', 'RegistryName'), ref('parameters', 'Full')],
        responses: responses({ '202': json('The sync was accepted.', schemaRef('SyncAccepted')) }, [403, 404, 409, 422, 501, 503]),
      }),
    },

    '/v0.1/audit': {
      get: op({
        tags: ['admin'],
        operationId: 'listAuditEvents',
        summary: 'Recent audit events',
        description:
          'Admins only; others get 403. Newest first, from a capped store of the last 1000 events (served when the console is enabled, ' +
          '`ui.enabled`): writes, syncs requested, denied admin calls, console sign-ins and sign-outs, each with its subject (never a token).',
        parameters: [{ name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 50 } }],
        responses: responses(
          {
            '200': json('The events.', {
              type: 'object',
              required: ['events'],
              properties: {
                events: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['id', 'at'],
                    properties: { id: { type: 'string' }, at: { type: 'string', format: 'date-time' }, action: { type: 'string' }, outcome: { type: 'string' }, subject: { type: 'string' } },
                    additionalProperties: true,
                  },
                },
              },
            }),
          },
          [400, 403, 503],
        ),
      }),
    },

    // ---- operations --------------------------------------------------------------------------
    '/v0.1/health': {
      get: op(
        {
          tags: ['operations'],
          operationId: 'health',
          summary: 'Health check (official registry shape)',
          description: 'Always `{"status":"ok"}` while the process serves requests. Also at `/v0/health`.',
          responses: responses({ '200': json('The process is up.', schemaRef('Health')) }, [], false),
        },
        true,
      ),
    },
    '/livez': {
      get: op(
        {
          tags: ['operations'],
          operationId: 'livez',
          summary: 'Liveness probe',
          description: 'The process runs. Also at `/healthz`.',
          responses: responses({ '200': json('Alive.', schemaRef('Health')) }, [], false),
        },
        true,
      ),
    },
    '/readyz': {
      get: op(
        {
          tags: ['operations'],
          operationId: 'readyz',
          summary: 'Readiness probe',
          description: 'Ready when the catalogue store (Redis) answers and the index has loaded. Never fails because an upstream registry is down.',
          responses: responses({ '200': json('Ready.', schemaRef('Health')) }, [503], false),
        },
        true,
      ),
    },
    '/metrics': {
      get: op(
        {
          tags: ['operations'],
          operationId: 'metrics',
          summary: 'Prometheus metrics',
          description: 'Prometheus text exposition format: HTTP request counts and latencies by route label, sync runs, process metrics.',
          responses: responses(
            { '200': { description: 'Metrics.', content: { 'text/plain; version=0.0.4; charset=utf-8': { schema: { type: 'string' } } } } },
            [],
            false,
          ),
        },
        true,
      ),
    },
    '/openapi.json': {
      get: op(
        {
          tags: ['operations'],
          operationId: 'openapi',
          summary: 'This OpenAPI document',
          responses: responses({ '200': json('The OpenAPI 3.1 document.', { type: 'object' }) }, [], false),
        },
        true,
      ),
    },
    '/docs': {
      get: op(
        {
          tags: ['operations'],
          operationId: 'docs',
          summary: 'Human-readable API documentation',
          description: 'A self-contained HTML page that renders this document (no external resources).',
          responses: responses({ '200': { description: 'HTML page.', content: { 'text/html': { schema: { type: 'string' } } } } }, [], false),
        },
        true,
      ),
    },
  };

  if (authEnabled) {
    paths['/.well-known/oauth-protected-resource'] = {
      get: op(
        {
          tags: ['operations'],
          operationId: 'oauthProtectedResource',
          summary: 'OAuth 2.0 protected resource metadata (RFC 9728)',
          description: 'Tells clients which authorization server issues tokens for this gateway. Also referenced by the `resource_metadata` parameter of `WWW-Authenticate` on 401 answers.',
          responses: responses({ '200': json('Protected resource metadata.', schemaRef('ProtectedResourceMetadata')) }, [], false),
        },
        true,
      ),
    };
  }

  return paths;
}
