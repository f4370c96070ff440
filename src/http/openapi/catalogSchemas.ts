/**
 * The schemas of the catalogue API: server.json and its parts, the official and gateway `_meta`
 * blocks, the server response and list envelope, the status bodies, and the RFC 9457 problem body.
 */

import { OFFICIAL_META_KEY } from '../../catalog/types.js';
import { schemaRef, timestamp, type Json, type OpenApiContext } from './shared.js';

/**
 * Builds the catalogue schemas (`components.schemas`, first part, in document order).
 *
 * @param ctx - the document context (its `gatewayMetaKey` names the gateway `_meta` block).
 * @returns schema name → schema.
 */
export function catalogSchemas(ctx: OpenApiContext): Json {
  const { gatewayMetaKey } = ctx;
  return {
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
      required: ['title', 'status', 'detail', 'code'],
      properties: {
        title: { type: 'string', description: 'The HTTP reason phrase.', example: 'Bad Request' },
        status: { type: 'integer', minimum: 400, maximum: 599, example: 400 },
        detail: { type: 'string', description: 'What went wrong, and what to do about it.' },
        code: {
          type: 'string',
          pattern: '^[A-Z][A-Z0-9_]*$',
          description: 'Stable machine-readable error code (`NOT_FOUND`, `VALIDATION_ERROR`, `CATALOG_WRITE_CONTENDED`, ...; the README lists them). Clients should key on it rather than on `detail`, whose wording may change.',
          example: 'INPUT_ERROR',
        },
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
  };
}
