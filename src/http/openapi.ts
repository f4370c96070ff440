/**
 * The gateway's own OpenAPI 3.1 document (`GET /openapi.json`). It describes the official MCP
 * Registry v0.1 routes as this gateway serves them (aggregated and per registry), the write routes
 * of managed registries, the admin routes and the operational endpoints, and says in each
 * description where the gateway differs from or extends the official registry.
 */

import { OFFICIAL_META_KEY } from '../catalog/types.js';

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

type Json = Record<string, unknown>;

const PROBLEM_JSON = 'application/problem+json';
const REGISTRY_NAME_PATTERN = '^[a-z0-9][a-z0-9-]{0,62}$';

const ref = (kind: 'schemas' | 'parameters' | 'responses' | 'headers', name: string): Json => ({ $ref: `#/components/${kind}/${name}` });
const schemaRef = (name: string): Json => ref('schemas', name);
const json = (description: string, schema: Json, extra: Json = {}): Json => ({ description, ...extra, content: { 'application/json': { schema } } });

/** Error responses shared by every operation: status code → component response name. */
const ERROR_RESPONSES: Record<string, string> = {
  '400': 'BadRequest',
  '401': 'Unauthorized',
  '403': 'Forbidden',
  '404': 'NotFound',
  '405': 'MethodNotAllowed',
  '409': 'Conflict',
  '413': 'PayloadTooLarge',
  '415': 'UnsupportedMediaType',
  '422': 'ValidationFailed',
  '500': 'InternalError',
  '501': 'NotImplemented',
  '503': 'ServiceUnavailable',
};

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
  const maxPageSize = options.maxPageSize ?? 100;
  const defaultPageSize = options.defaultPageSize ?? 30;

  /** Responses of an operation: its successes plus the listed error codes (401 added when auth is on). */
  const responses = (success: Json, errors: readonly number[], authenticated = true): Json => {
    const out: Json = { ...success };
    const codes = new Set(errors.map(String));
    if (authEnabled && authenticated) codes.add('401');
    codes.add('500');
    for (const code of [...codes].sort()) out[code] = ref('responses', ERROR_RESPONSES[code] as string);
    return out;
  };

  /** An operation; `open` ones are served before authentication (no credentials looked at). */
  const op = (fields: Json & { responses: Json }, open = false): Json => (open && authEnabled ? { ...fields, security: [] } : fields);

  // ---- servers (read) ----------------------------------------------------------------------

  const scopeNote = (perRegistry: boolean) =>
    perRegistry
      ? 'One registry\'s view: only entries held by `{registryName}`, each with its own versions and `isLatest` (no aggregation). ' +
        'An unknown registry, or one the caller may not see, is a 404 exactly like a missing one.'
      : 'The aggregated catalogue: each server name comes from the highest-priority registry (config order) that the caller may see and ' +
        'that holds the name, with all its versions from that registry only; the other registries holding the name are listed in ' +
        `\`_meta["${gatewayMetaKey}"].alsoIn\`.`;

  const readParams = (perRegistry: boolean, ...names: string[]): Json[] => [
    ...(perRegistry ? [ref('parameters', 'RegistryName')] : []),
    ...names.map((n) => ref('parameters', n)),
  ];

  const readOperations = (perRegistry: boolean): Record<string, Json> => {
    const tag = perRegistry ? 'registry servers' : 'servers';
    const idPrefix = perRegistry ? 'registry' : '';
    const id = (base: string) => (perRegistry ? `${idPrefix}${base[0]?.toUpperCase()}${base.slice(1)}` : base);
    const notFound = perRegistry ? [404] : [];
    return {
      list: {
        get: op({
          tags: [tag],
          operationId: id('listServers'),
          summary: perRegistry ? 'List the MCP servers of one registry' : 'List MCP servers',
          description:
            `${scopeNote(perRegistry)}\n\n` +
            'Ordered by name, then version (plain string order, as the official registry); pagination is keyset-based, so pages stay ' +
            'stable while the catalogue changes. Every filter (access rules, `search`, `version`, `updated_since`, `include_deleted`) is ' +
            'applied in the index before the page is cut, so pages are full and `metadata.count` is exact. ' +
            '`servers` is `[]` when nothing matches; `metadata.nextCursor` is omitted on the last page. Unknown query parameters are ignored; ' +
            'a parameter given more than once is a 422.',
          parameters: readParams(perRegistry, 'Cursor', 'Limit', 'Search', 'UpdatedSince', 'VersionFilter', 'IncludeDeleted'),
          responses: responses(
            { '200': json('A page of server versions.', schemaRef('ServerList')) },
            [400, 422, 503, ...notFound],
          ),
        }),
      },
      versions: {
        get: op({
          tags: [tag],
          operationId: id('listServerVersions'),
          summary: 'List all versions of an MCP server',
          description:
            `${scopeNote(perRegistry)}\n\n` +
            'Every visible version of the server, newest `publishedAt` first, in the list envelope (no `nextCursor`: the list is not paged). ' +
            '404 when the caller can see no version of the name (a name that exists but is invisible is indistinguishable from a missing one).',
          parameters: readParams(perRegistry, 'ServerName', 'IncludeDeletedDetail'),
          responses: responses({ '200': json('All visible versions of the server.', schemaRef('ServerList')) }, [400, 404, 422, 503]),
        }),
      },
      version: {
        get: op({
          tags: [tag],
          operationId: id('getServerVersion'),
          summary: 'Get one version of an MCP server',
          description:
            `${scopeNote(perRegistry)}\n\n` +
            'A bare `{server, _meta}` (no envelope). `{version}` may be `latest`: the version whose `isLatest` is true (semver precedence; ' +
            'non-semver versions by `publishedAt`; deleted versions never win unless every version is deleted).',
          parameters: readParams(perRegistry, 'ServerName', 'Version', 'IncludeDeletedDetail'),
          responses: responses({ '200': json('The server version.', schemaRef('ServerResponse')) }, [400, 404, 422, 503]),
        }),
      },
    };
  };

  const aggregated = readOperations(false);
  const perRegistry = readOperations(true);

  // ---- writes (managed registries) -------------------------------------------------------------

  const writeNote =
    'Writes are accepted only by **managed** registries (`type: managed`); upstream and file registries are read-only and answer 405 ' +
    'with the reason. The caller needs a matching `publish` glob in an `access.rules` entry for the server name (403 otherwise). ' +
    'Bodies are validated against the official server.json JSON Schema named by `$schema` (current and older dated schemas) plus the ' +
    'official semantic rules; problems come back as 422 with `errors[].location` naming the field (`body.packages[0].transport.type`). ' +
    'A duplicate version is 409. With auth off, writes need `publish.allowAnonymous: true` (403 otherwise). ' +
    'Request bodies must be `application/json` (415) and at most `publish.maxBodyBytes` (413).';
  const writeErrors = [400, 403, 404, 405, 409, 413, 415, 422, 501, 503];
  const serverJsonBody = (description: string): Json => ({
    required: true,
    description,
    content: { 'application/json': { schema: schemaRef('ServerJSON') } },
  });
  const statusBody: Json = { required: true, content: { 'application/json': { schema: schemaRef('StatusUpdateRequest') } } };

  const publishOp = (registryScoped: boolean): Json =>
    op({
      tags: ['publish'],
      operationId: registryScoped ? 'registryPublish' : 'publish',
      summary: registryScoped ? 'Publish a server version to a managed registry' : 'Publish a server version to the default registry',
      description: registryScoped
        ? `Publishes a new version of a server to \`{registryName}\`. ${writeNote}`
        : 'Publishes to the managed registry named by `publish.defaultRegistry`. When none is configured the answer is a 501 whose ' +
          `detail names the per-registry route \`POST /{registryName}/v0.1/publish\`. ${writeNote}`,
      ...(registryScoped ? { parameters: [ref('parameters', 'RegistryName')] } : {}),
      requestBody: serverJsonBody('The server.json to publish.'),
      responses: responses({ '200': json('The published version, with registry metadata.', schemaRef('ServerResponse')) }, writeErrors),
    });

  const paths: Json = {
    '/v0.1/servers': aggregated.list,
    '/v0.1/servers/{serverName}/versions': aggregated.versions,
    '/v0.1/servers/{serverName}/versions/{version}': aggregated.version,
    '/{registryName}/v0.1/servers': perRegistry.list,
    '/{registryName}/v0.1/servers/{serverName}/versions': perRegistry.versions,
    '/{registryName}/v0.1/servers/{serverName}/versions/{version}': {
      ...perRegistry.version,
      put: op({
        tags: ['publish'],
        operationId: 'registryUpdateServerVersion',
        summary: 'Replace one version of a server in a managed registry',
        description: `Replaces the server.json of an existing version; \`name\` and \`version\` in the body must match the path (400 otherwise). ${writeNote}`,
        parameters: [ref('parameters', 'RegistryName'), ref('parameters', 'ServerName'), ref('parameters', 'VersionExact')],
        requestBody: serverJsonBody('The new server.json for this version.'),
        responses: responses({ '200': json('The updated version.', schemaRef('ServerResponse')) }, writeErrors),
      }),
      delete: op({
        tags: ['publish'],
        operationId: 'registryDeleteServerVersion',
        summary: 'Delete one version of a server from a managed registry',
        description:
          'Marks the version `deleted` (a tombstone: `updated_since` clients see the deletion, and the name stays held by this registry so ' +
          `a lower-priority upstream cannot take it over). ${writeNote}`,
        parameters: [ref('parameters', 'RegistryName'), ref('parameters', 'ServerName'), ref('parameters', 'VersionExact')],
        responses: responses({ '200': json('The deleted version.', schemaRef('ServerResponse')) }, [400, 403, 404, 405, 409, 501, 503]),
      }),
    },
    '/{registryName}/v0.1/servers/{serverName}/versions/{version}/status': {
      patch: op({
        tags: ['publish'],
        operationId: 'registryUpdateServerVersionStatus',
        summary: 'Set the status of one server version',
        description: `Sets \`status\` (\`active\`, \`deprecated\` or \`deleted\`) and an optional \`statusMessage\`. ${writeNote}`,
        parameters: [ref('parameters', 'RegistryName'), ref('parameters', 'ServerName'), ref('parameters', 'VersionExact')],
        requestBody: statusBody,
        responses: responses({ '200': json('The updated version.', schemaRef('ServerResponse')) }, writeErrors),
      }),
    },
    '/{registryName}/v0.1/servers/{serverName}/status': {
      patch: op({
        tags: ['publish'],
        operationId: 'registryUpdateServerStatus',
        summary: 'Set the status of every version of a server',
        description: `Sets the status of all versions of the server at once (all or none). ${writeNote}`,
        parameters: [ref('parameters', 'RegistryName'), ref('parameters', 'ServerName')],
        requestBody: statusBody,
        responses: responses({ '200': json('Every updated version.', schemaRef('AllVersionsStatusResponse')) }, writeErrors),
      }),
    },
    '/v0.1/publish': { post: publishOp(false) },
    '/{registryName}/v0.1/publish': { post: publishOp(true) },

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

  // ---- components ----------------------------------------------------------------------------

  const problem = (description: string, headers?: Json): Json => ({
    description,
    ...(headers ? { headers } : {}),
    content: { [PROBLEM_JSON]: { schema: schemaRef('Problem') } },
  });

  const timestamp = (description: string): Json => ({ type: 'string', format: 'date-time', description });

  const schemas: Json = {
    Repository: {
      type: 'object',
      description: 'Repository metadata for the server source code (official schema).',
      required: ['url', 'source'],
      properties: {
        url: { type: 'string', format: 'uri', example: 'https://github.com/modelcontextprotocol/servers' },
        source: { type: 'string', example: 'github' },
        id: { type: 'string', description: 'Stable identifier from the hosting service.' },
        subfolder: { type: 'string', description: 'Relative path to the server inside a monorepo.' },
      },
      additionalProperties: true,
    },
    Icon: {
      type: 'object',
      description: 'An optionally-sized icon (official schema).',
      required: ['src'],
      properties: {
        src: { type: 'string', format: 'uri', maxLength: 255 },
        mimeType: { type: 'string', enum: ['image/png', 'image/jpeg', 'image/jpg', 'image/svg+xml', 'image/webp'] },
        sizes: { type: 'array', items: { type: 'string', pattern: '^(\\d+x\\d+|any)$' } },
        theme: { type: 'string', enum: ['light', 'dark'] },
      },
      additionalProperties: true,
    },
    Package: {
      type: 'object',
      description:
        'A package that runs the server locally (official schema, abridged: arguments, environment variables and transport details are ' +
        'passed through unchanged).',
      required: ['registryType', 'identifier', 'transport'],
      properties: {
        registryType: { type: 'string', examples: ['npm', 'pypi', 'oci', 'nuget', 'mcpb'] },
        registryBaseUrl: { type: 'string', format: 'uri' },
        identifier: { type: 'string', example: '@modelcontextprotocol/server-filesystem' },
        version: { type: 'string', example: '1.0.2' },
        fileSha256: { type: 'string', pattern: '^[a-f0-9]{64}$' },
        runtimeHint: { type: 'string', examples: ['npx', 'uvx', 'docker', 'dnx'] },
        transport: {
          type: 'object',
          required: ['type'],
          properties: { type: { type: 'string', enum: ['stdio', 'streamable-http', 'sse'] }, url: { type: 'string' } },
          additionalProperties: true,
        },
        runtimeArguments: { type: 'array', items: { type: 'object', additionalProperties: true } },
        packageArguments: { type: 'array', items: { type: 'object', additionalProperties: true } },
        environmentVariables: { type: 'array', items: { type: 'object', additionalProperties: true } },
      },
      additionalProperties: true,
    },
    RemoteTransport: {
      type: 'object',
      description: 'A remote endpoint of the server (official schema, abridged).',
      required: ['type', 'url'],
      properties: {
        type: { type: 'string', enum: ['streamable-http', 'sse'] },
        url: { type: 'string', example: 'https://api.example.com/mcp' },
        headers: { type: 'array', items: { type: 'object', additionalProperties: true } },
        variables: { type: 'object', additionalProperties: true },
      },
      additionalProperties: true,
    },
    ServerJSON: {
      type: 'object',
      description:
        'A server.json document (the official `ServerDetail`, abridged). The gateway stores and serves bodies byte-for-byte as the source ' +
        'registry had them, so any `$schema` revision and unknown fields pass through.',
      required: ['name', 'description', 'version'],
      properties: {
        $schema: { type: 'string', format: 'uri', example: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json' },
        name: {
          type: 'string',
          description: 'Reverse-DNS server name with exactly one slash.',
          minLength: 3,
          maxLength: 200,
          pattern: '^[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+$',
          example: 'io.github.acme/weather',
        },
        description: { type: 'string', minLength: 1, maxLength: 100, example: 'Weather forecasts for MCP clients' },
        title: { type: 'string', minLength: 1, maxLength: 100, example: 'Weather' },
        version: { type: 'string', maxLength: 255, description: 'SHOULD be semver; ranges are rejected.', example: '1.0.2' },
        repository: schemaRef('Repository'),
        websiteUrl: { type: 'string', format: 'uri' },
        icons: { type: 'array', items: schemaRef('Icon') },
        packages: { type: 'array', items: schemaRef('Package') },
        remotes: { type: 'array', items: schemaRef('RemoteTransport') },
        _meta: {
          type: 'object',
          description: 'Publisher extension metadata under reverse-DNS keys (e.g. `io.modelcontextprotocol.registry/publisher-provided`).',
          additionalProperties: true,
        },
      },
      additionalProperties: true,
    },
    OfficialMeta: {
      type: 'object',
      description: 'The official registry metadata block.',
      required: ['status', 'publishedAt', 'updatedAt', 'isLatest'],
      properties: {
        status: { type: 'string', enum: ['active', 'deprecated', 'deleted'], description: 'Lifecycle status, preserved from the source.' },
        statusMessage: { type: 'string', maxLength: 500, description: 'Why the status was set (e.g. a deprecation reason).' },
        statusChangedAt: timestamp('When the status last changed at the source.'),
        publishedAt: timestamp('When the version was first published, preserved from the source.'),
        updatedAt: timestamp(
          '**Gateway extension of the meaning:** the gateway\'s own change time for this entry — when its visible content, status or ' +
            '`isLatest` last changed here. `updated_since` filters on it, so a downstream registry syncing incrementally converges to a full ' +
            `listing. The source's own value is in \`_meta["${gatewayMetaKey}"].upstreamUpdatedAt\`.`,
        ),
        isLatest: { type: 'boolean', description: 'Recomputed by the gateway per registry (semver precedence, else newest `publishedAt`).' },
      },
      additionalProperties: false,
    },
    GatewayMeta: {
      type: 'object',
      description: `The gateway's own metadata block (\`_meta["${gatewayMetaKey}"]\`).`,
      required: ['registry', 'syncedAt', 'alsoIn'],
      properties: {
        registry: { type: 'string', description: 'The registry this entry is served from.', example: 'official' },
        upstreamUpdatedAt: timestamp('The source registry\'s own `updatedAt` for the entry, when it reported one.'),
        syncedAt: timestamp('When the gateway last stored data for this entry from its source.'),
        alsoIn: {
          type: 'array',
          items: { type: 'string' },
          description: 'Other registries visible to the caller that also hold this server name (they are not listed as duplicates).',
        },
      },
      additionalProperties: true,
    },
    ServerResponse: {
      type: 'object',
      description: 'One server version with registry metadata (official shape, plus the gateway `_meta` key).',
      required: ['server', '_meta'],
      properties: {
        server: schemaRef('ServerJSON'),
        _meta: {
          type: 'object',
          required: [OFFICIAL_META_KEY, gatewayMetaKey],
          properties: { [OFFICIAL_META_KEY]: schemaRef('OfficialMeta'), [gatewayMetaKey]: schemaRef('GatewayMeta') },
          additionalProperties: true,
        },
      },
    },
    ServerList: {
      type: 'object',
      description: 'The official list envelope.',
      required: ['servers', 'metadata'],
      properties: {
        servers: { type: 'array', items: schemaRef('ServerResponse'), description: '`[]` when nothing matches.' },
        metadata: {
          type: 'object',
          required: ['count'],
          properties: {
            count: { type: 'integer', minimum: 0, description: 'Number of items in this page.', example: 30 },
            nextCursor: {
              type: 'string',
              description:
                'Opaque cursor of the next page; pass it unchanged as `cursor` to the same route. **Omitted** (never null or empty) on the ' +
                'last page.',
            },
          },
        },
      },
    },
    StatusUpdateRequest: {
      type: 'object',
      required: ['status'],
      properties: {
        status: { type: 'string', enum: ['active', 'deprecated', 'deleted'] },
        statusMessage: { type: 'string', maxLength: 500, example: 'Please upgrade to version 2.0.0' },
      },
      additionalProperties: false,
    },
    AllVersionsStatusResponse: {
      type: 'object',
      required: ['updatedCount', 'servers'],
      properties: {
        updatedCount: { type: 'integer', minimum: 0 },
        servers: { type: 'array', items: schemaRef('ServerResponse') },
      },
    },
    Problem: {
      type: 'object',
      description: 'RFC 9457 problem details, in the official registry\'s (huma) shape. Bodies never carry stack traces or internals.',
      required: ['title', 'status', 'detail'],
      properties: {
        title: { type: 'string', description: 'The HTTP reason phrase.', example: 'Bad Request' },
        status: { type: 'integer', minimum: 400, maximum: 599, example: 400 },
        detail: { type: 'string', description: 'What went wrong, and what to do about it.' },
        errors: {
          type: 'array',
          description: 'Field-level problems, when there are any.',
          items: {
            type: 'object',
            required: ['message'],
            properties: {
              message: { type: 'string', example: 'expected number <= 100' },
              location: { type: 'string', description: 'Where: `query.limit`, `body.name`, ...', example: 'query.limit' },
              value: { description: 'The offending value.' },
            },
          },
        },
      },
    },
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

  const booleanSpellings = 'Accepts Go `strconv.ParseBool` spellings (`true`/`false`, `1`/`0`, `t`/`f`, ...); anything else is a 422.';
  const serverNameParam: Json = {
    name: 'serverName',
    in: 'path',
    required: true,
    description:
      'URL-encoded server name, e.g. `io.github.acme%2Fweather`. The gateway also accepts the slash unencoded ' +
      '(`/servers/io.github.acme/weather/versions`) from lenient clients.',
    schema: { type: 'string', minLength: 1, maxLength: 512 },
    example: 'io.github.acme%2Fweather',
  };

  const parameters: Json = {
    RegistryName: {
      name: 'registryName',
      in: 'path',
      required: true,
      description:
        'A configured registry name. Never one of the gateway\'s own top-level words (`v0`, `v0.1`, `metrics`, `docs`, `openapi.json`, ...). ' +
        'Unknown or invisible registries are a 404.',
      schema: { type: 'string', pattern: REGISTRY_NAME_PATTERN },
      example: 'official',
    },
    ServerName: serverNameParam,
    Version: {
      name: 'version',
      in: 'path',
      required: true,
      description:
        'An exact version, or `latest` for the version whose `isLatest` is true. Versions with build metadata may be sent as ' +
        '`1.0.0+build.5` or URL-encoded as `1.0.0%2Bbuild.5`.',
      schema: { type: 'string', minLength: 1 },
      example: 'latest',
    },
    VersionExact: {
      name: 'version',
      in: 'path',
      required: true,
      description: 'An exact version (URL-encode `+` as `%2B` if your client rewrites it).',
      schema: { type: 'string', minLength: 1 },
      example: '1.0.2',
    },
    Cursor: {
      name: 'cursor',
      in: 'query',
      required: false,
      description:
        'Opaque pagination cursor from `metadata.nextCursor` of the previous page. **Gateway:** cursors are signed keyset tokens bound to ' +
        'the route they were issued for; a tampered, truncated or foreign cursor (e.g. from another registry\'s route) is a 400. ' +
        'An empty value is ignored.',
      schema: { type: 'string', maxLength: 2048 },
    },
    Limit: {
      name: 'limit',
      in: 'query',
      required: false,
      description: `Page size, an integer from 1 to ${maxPageSize} (\`api.maxPageSize\`); default ${defaultPageSize}. Out of range or not an integer → 422.`,
      schema: { type: 'integer', minimum: 1, maximum: maxPageSize, default: defaultPageSize },
      example: defaultPageSize,
    },
    Search: {
      name: 'search',
      in: 'query',
      required: false,
      description:
        'Case-insensitive substring match on the server name. **Gateway extension:** also matches `title` and `description`. ' +
        'At most 256 characters (422 beyond).',
      schema: { type: 'string', maxLength: 256 },
      example: 'weather',
    },
    UpdatedSince: {
      name: 'updated_since',
      in: 'query',
      required: false,
      description:
        'RFC 3339 timestamp: only entries whose `updatedAt` (the gateway\'s own change time) is strictly greater. A malformed value is a ' +
        '400. It forces `include_deleted=true` so tombstones reach incremental-sync clients; an explicit `include_deleted=false` with it ' +
        'is a 400.',
      schema: { type: 'string', format: 'date-time' },
      example: '2025-08-07T13:15:04.280Z',
    },
    VersionFilter: {
      name: 'version',
      in: 'query',
      required: false,
      description: '`latest` for only the version whose `isLatest` is true, or an exact version string such as `1.2.3`.',
      schema: { type: 'string' },
      example: 'latest',
    },
    IncludeDeleted: {
      name: 'include_deleted',
      in: 'query',
      required: false,
      description: `Include versions whose status is \`deleted\`. Default false; always true when \`updated_since\` is given. ${booleanSpellings}`,
      schema: { type: 'boolean', default: false },
    },
    IncludeDeletedDetail: {
      name: 'include_deleted',
      in: 'query',
      required: false,
      description: `Include versions whose status is \`deleted\` (default false). ${booleanSpellings}`,
      schema: { type: 'boolean', default: false },
    },
    Full: {
      name: 'full',
      in: 'query',
      required: false,
      description: `\`true\` for a full resync (also removes entries that vanished upstream) instead of an incremental one. ${booleanSpellings}`,
      schema: { type: 'boolean', default: false },
    },
  };

  const componentResponses: Json = {
    BadRequest: problem('Malformed request: bad `updated_since`, tampered or foreign cursor, contradictory parameters, malformed JSON or percent-encoding.'),
    Forbidden: problem('The caller is known but not allowed (admin routes without an admin group; publishing outside the caller\'s `publish` globs).'),
    NotFound: problem('Not found, or not visible to the caller (the two are indistinguishable).'),
    MethodNotAllowed: problem('The registry is not managed, so it does not accept writes; the detail says why.'),
    Conflict: problem('The request conflicts with the current state (e.g. publishing an existing version, syncing a managed registry).'),
    PayloadTooLarge: problem('The request body exceeds `publish.maxBodyBytes`.'),
    UnsupportedMediaType: problem('The request body is not `application/json`.'),
    ValidationFailed: problem('A value is out of range or fails validation (e.g. `limit` outside 1..max, a non-boolean flag); see `errors`.'),
    InternalError: problem('An unexpected error; the detail quotes the request id (`X-Request-Id`) and nothing else.'),
    NotImplemented: problem('Not available on this gateway (e.g. no `publish.defaultRegistry`, or managed-registry writes not enabled).'),
    ServiceUnavailable: problem('A dependency (the catalogue store) is unavailable. Retry after the indicated delay.', { 'Retry-After': ref('headers', 'RetryAfter') }),
  };
  if (authEnabled) {
    componentResponses.Unauthorized = problem('The bearer token is invalid or expired. Requests without an `Authorization` header are anonymous, not 401.', {
      'WWW-Authenticate': ref('headers', 'WWWAuthenticate'),
    });
  }

  const headers: Json = {
    RetryAfter: { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 0 } },
  };
  if (authEnabled) {
    headers.WWWAuthenticate = {
      description: 'The bearer challenge (RFC 6750), with `resource_metadata` pointing at `/.well-known/oauth-protected-resource` (RFC 9728).',
      schema: { type: 'string' },
    };
  }

  const components: Json = { schemas, parameters, responses: componentResponses, headers };
  if (authEnabled) {
    components.securitySchemes = {
      bearerAuth: {
        type: 'http',
        scheme: 'bearer',
        description:
          'An access token from the configured OIDC provider (JWTs are verified against the issuer\'s keys; opaque tokens are introspected). ' +
          'Omit the header to call anonymously: what a caller sees is decided by `access.rules` for its groups (`$anonymous`, ' +
          '`$authenticated`, group names).',
      },
    };
  }

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
      { name: 'operations', description: 'Health, readiness, metrics and API documentation.' },
    ],
    paths,
    components,
  };
  if (authEnabled) doc.security = [{}, { bearerAuth: [] }];
  return doc;
}
