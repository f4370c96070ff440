/**
 * The document's `components`: the schemas (see `catalogSchemas.ts` and `adminSchemas.ts`), the
 * reusable parameters, the problem-details error responses, the response headers and, with auth
 * on, the bearer security scheme.
 */

import { adminSchemas } from './adminSchemas.js';
import { catalogSchemas } from './catalogSchemas.js';
import { PROBLEM_JSON, REGISTRY_NAME_PATTERN, ref, schemaRef, type Json, type OpenApiContext } from './shared.js';

/** An error response with an RFC 9457 problem-details body (and optional response headers). */
const problem = (description: string, headers?: Json): Json => ({
  description,
  ...(headers ? { headers } : {}),
  content: { [PROBLEM_JSON]: { schema: schemaRef('Problem') } },
});

/** How boolean query flags are parsed, quoted in their descriptions. */
const booleanSpellings = 'Accepts Go `strconv.ParseBool` spellings (`true`/`false`, `1`/`0`, `t`/`f`, ...); anything else is a 422.';

/**
 * Builds the `components` object.
 *
 * @param ctx - the document context: the page sizes go into `Limit`, and with `authEnabled` the
 *   `Unauthorized` response, the `WWWAuthenticate` header and the `bearerAuth` scheme are added.
 * @returns `{ schemas, parameters, responses, headers }`, plus `securitySchemes` with auth on.
 */
export function buildComponents(ctx: OpenApiContext): Json {
  const { authEnabled, maxPageSize, defaultPageSize } = ctx;

  const schemas: Json = { ...catalogSchemas(ctx), ...adminSchemas(ctx) };

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

  return components;
}
