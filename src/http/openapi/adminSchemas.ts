/**
 * The schemas of the admin and operational routes: registries and their sync status, sync
 * acceptance, health, and (with auth on) RFC 9728 protected resource metadata.
 */

import { REGISTRY_NAME_PATTERN, schemaRef, timestamp, type Json, type OpenApiContext } from './shared.js';

/**
 * Builds the admin and operational schemas (`components.schemas`, second part, in document order).
 *
 * @param ctx - the document context; with `authEnabled` `ProtectedResourceMetadata` is added last.
 * @returns schema name → schema.
 */
export function adminSchemas(ctx: OpenApiContext): Json {
  const { authEnabled } = ctx;
  const schemas: Json = {
    SyncStatus: {
      type: 'object',
      description: 'Synchronisation state of one registry (a superset of ToolHive\'s shape). Unknown extra fields may appear.',
      required: ['phase', 'attemptCount', 'serverCount', 'versionCount'],
      properties: {
        phase: { type: 'string', enum: ['pending', 'syncing', 'complete', 'failed'] },
        lastAttempt: timestamp('When the last run started.'),
        lastSyncTime: timestamp('When the last successful run finished (kept while later runs fail: the last good data is still served).'),
        attemptCount: { type: 'integer', minimum: 0, description: 'Consecutive failed runs (0 after a success).' },
        serverCount: { type: 'integer', minimum: 0, description: 'Server names held.' },
        versionCount: { type: 'integer', minimum: 0, description: 'Versions held.' },
        message: { type: 'string', description: 'Human-readable outcome or failure reason.' },
        lastRunMode: { type: 'string', examples: ['full', 'incremental', 'file'], description: '`full`, `incremental`, or `file` (a file reload).' },
        changedCount: { type: 'integer', minimum: 0, description: 'Names whose served data changed in the last run.' },
        skippedCount: { type: 'integer', minimum: 0, description: 'Invalid entries skipped in the last run.' },
        durationMs: { type: 'number', minimum: 0, description: 'Wall time of the last run, in milliseconds.' },
      },
      additionalProperties: true,
    },
    Registry: {
      type: 'object',
      required: ['name', 'type', 'priority', 'syncStatus'],
      properties: {
        name: { type: 'string', pattern: REGISTRY_NAME_PATTERN, example: 'official' },
        type: { type: 'string', enum: ['managed', 'upstream', 'file'] },
        priority: { type: 'integer', minimum: 0, description: 'Position in the aggregation order (0 = highest priority).' },
        description: { type: 'string' },
        url: { type: 'string', format: 'uri', description: 'Upstream base URL (upstream registries only).' },
        createdAt: timestamp('When the gateway first saw this registry in its configuration.'),
        updatedAt: timestamp('When the registry\'s configuration record last changed.'),
        syncStatus: schemaRef('SyncStatus'),
      },
    },
    RegistryList: {
      type: 'object',
      required: ['registries'],
      properties: { registries: { type: 'array', items: schemaRef('Registry') } },
    },
    SyncAccepted: {
      type: 'object',
      required: ['accepted', 'registry', 'full', 'syncStatus'],
      properties: {
        accepted: { type: 'boolean', const: true },
        registry: { type: 'string' },
        full: { type: 'boolean', description: 'Whether a full resync was requested.' },
        syncStatus: { ...schemaRef('SyncStatus'), description: 'The status when the request was accepted.' },
      },
    },
    Health: {
      type: 'object',
      required: ['status'],
      properties: { status: { type: 'string', const: 'ok' } },
    },
  };

  if (authEnabled) {
    schemas.ProtectedResourceMetadata = {
      type: 'object',
      description: 'OAuth 2.0 Protected Resource Metadata (RFC 9728).',
      required: ['resource', 'authorization_servers'],
      properties: {
        resource: { type: 'string', format: 'uri', description: 'This gateway\'s resource identifier.' },
        authorization_servers: { type: 'array', items: { type: 'string', format: 'uri' }, description: 'The OIDC issuer(s).' },
        bearer_methods_supported: { type: 'array', items: { type: 'string' }, example: ['header'] },
        scopes_supported: { type: 'array', items: { type: 'string' } },
        resource_name: { type: 'string' },
        resource_documentation: { type: 'string', format: 'uri' },
      },
      additionalProperties: true,
    };
  }

  return schemas;
}
