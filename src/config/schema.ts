import { z } from 'zod';
import { crossCheck } from './crossChecks.js';
import { parseDuration } from './duration.js';
import { webhookChecks } from './webhookChecks.js';
import { REGISTRY_NAME_PATTERN } from './registryName.js';

/**
 * Words the gateway uses as the first path segment. A registry may not be named after one,
 * or its per-registry routes (`/{registryName}/v0.1/...`) would be unreachable.
 */
export const RESERVED_REGISTRY_NAMES: ReadonlySet<string> = new Set([
  'v0', 'v0.1', 'v1', 'metrics', 'admin', 'docs', 'openapi.json', 'openapi.yaml', 'livez', 'readyz', 'healthz',
  'health', 'api', 'auth', 'registries', 'servers', 'publish', 'static', 'assets', 'well-known', '.well-known',
  'favicon.ico', 'robots.txt', 'ping', 'version', 'x',
]);

/** Registry name rule from DESIGN §2 (defined in `registryName.ts`). */
export { REGISTRY_NAME_PATTERN };

const registryName = z
  .string()
  .regex(REGISTRY_NAME_PATTERN, `must match ${REGISTRY_NAME_PATTERN.source} (lowercase letters, digits, dashes)`)
  .refine((n) => !RESERVED_REGISTRY_NAMES.has(n), { error: (issue) => `"${String(issue.input)}" is reserved by the gateway's own routes` });

/** A duration string such as `30s`, `5m`, `1h`, parsed to milliseconds. */
const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const ms = parseDuration(value);
      if (ms === undefined || ms <= 0) {
        ctx.addIssue({ code: 'custom', message: `expected a duration such as 30s, 5m or 1h, got "${value}"` });
        return z.NEVER;
      }
      return ms;
    });

const envVarName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable');

const nameGlobs = z.array(z.string().min(1)).default([]);

const filterSchema = z
  .object({ include: z.array(z.string().min(1)).default(['*']), exclude: nameGlobs })
  .strict()
  .default({ include: ['*'], exclude: [] });

const httpUrl = z.url({ protocol: /^https?$/, error: 'Invalid URL' });

const upstreamSyncSchema = z
  .object({
    interval: duration('1h'),
    fullInterval: duration('24h'),
    pageSize: z.number().int().min(1).max(1000).default(100),
    timeout: duration('30s'),
    maxRequestsPerSecond: z.number().positive().max(1000).default(5),
    maxPages: z.number().int().positive().default(10_000),
    maxResponseBytes: z.number().int().positive().default(16 * 1024 * 1024),
    safetyMargin: duration('5m'),
    /** `events`: follow the upstream gateway's `/v0.1/events` stream (polling stays the fallback). */
    follow: z.enum(['poll', 'events']).default('poll'),
  })
  .strict()
  .prefault({});

const managedRegistrySchema = z
  .object({ name: registryName, type: z.literal('managed'), description: z.string().optional() })
  .strict();

const upstreamRegistrySchema = z
  .object({
    name: registryName,
    type: z.literal('upstream'),
    description: z.string().optional(),
    url: httpUrl,
    sync: upstreamSyncSchema,
    filter: filterSchema,
    auth: z.object({ tokenEnv: envVarName }).strict().optional(),
  })
  .strict();

const fileRegistrySchema = z
  .object({
    name: registryName,
    type: z.literal('file'),
    description: z.string().optional(),
    path: z.string().min(1),
    watch: z.boolean().default(true),
    filter: filterSchema,
  })
  .strict();

const registrySchema = z.discriminatedUnion('type', [managedRegistrySchema, upstreamRegistrySchema, fileRegistrySchema], {
  error: (issue) =>
    issue.code === 'invalid_union' ? 'type must be one of: managed, upstream, file' : undefined,
});

/** Change events (`GET /v0.1/events`) and webhook delivery tunables (DESIGN §3). */
const eventsSchema = z
  .object({
    heartbeat: duration('15s').refine((ms) => ms <= 30_000, 'must be at most 30s (DESIGN §3)'),
    retention: duration('7d'),
    maxSubscribers: z.number().int().min(1).max(100_000).default(1000),
    maxBufferedBytes: z.number().int().min(1024).default(1024 * 1024),
    stallTimeout: duration('30s'),
    batchSize: z.number().int().min(1).max(1000).default(100),
    webhookHistory: z.number().int().min(1).max(1000).default(50),
    webhookConcurrency: z.number().int().min(1).max(64).default(4),
  })
  .strict()
  .prefault({});

const webhookSchema = z
  .object({
    name: z.string().regex(REGISTRY_NAME_PATTERN, `must match ${REGISTRY_NAME_PATTERN.source}`),
    url: httpUrl,
    secretEnv: envVarName,
    as: z.array(z.string().min(1)).min(1).default(['$anonymous']),
    registries: z.array(z.string().min(1)).min(1).default(['*']),
    timeout: duration('10s'),
    maxBackoff: duration('10m'),
  })
  .strict();

const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

/** True for loopback hosts, the only ones allowed to use plain http for an issuer (tests, demos). */
export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

const oidcIssuerSchema = z
  .object({
    issuer: httpUrl.refine((u) => u.startsWith('https://') || isLoopbackUrl(u), 'must use https (plain http is allowed only for loopback issuers)'),
    audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    groupsClaim: z.string().min(1).default('groups'),
    algorithms: z.array(z.enum(ASYMMETRIC_ALGORITHMS, { error: `must be asymmetric JWS algorithms (${ASYMMETRIC_ALGORITHMS.join(', ')}); "none" and HMAC are never accepted` })).min(1).default([...ASYMMETRIC_ALGORITHMS]),
    clockTolerance: duration('30s'),
    /** Least time between two JWKS refreshes triggered by an unknown `kid` (rate limit). */
    jwksCooldown: duration('30s'),
    introspection: z
      .object({
        clientId: z.string().min(1),
        clientSecretEnv: envVarName,
        cacheTtl: duration('60s'),
        /** How the gateway authenticates to the introspection endpoint. */
        authMethod: z.enum(['client_secret_basic', 'client_secret_post']).default('client_secret_basic'),
        /** Most active tokens cached (rejected ones have their own, smaller cache). */
        cacheMaxEntries: z.number().int().min(1).max(1_000_000).default(10_000),
      })
      .strict()
      .optional(),
    /** Whether this issuer's groups count; unset = true for the first issuer, false for the others. */
    trustGroups: z.boolean().optional(),
    /** Prepended to every group of this issuer's tokens (e.g. `partner:`), so names cannot collide. */
    groupPrefix: z.string().default(''),
    /** The operator console's OIDC client (authorization code + PKCE, confidential). */
    ui: z
      .object({
        clientId: z.string().min(1),
        clientSecretEnv: envVarName,
        scopes: z.array(z.string().min(1)).default(['openid', 'profile']),
        /** RFC 8707 resource indicator sent with the authorization and token requests. */
        resource: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const ruleSchema = z
  .object({
    groups: z.array(z.string().min(1)).min(1),
    registries: z.array(z.string().min(1)).default(['*']),
    servers: z.array(z.string().min(1)).default(['*']),
    exclude: nameGlobs,
    publish: nameGlobs,
  })
  .strict();

const redisUrl = z.string().regex(/^rediss?:\/\/[^\s]+$/, 'must be a redis:// or rediss:// URL');

const redisSentinelSchema = z
  .object({
    masterName: z.string().min(1),
    nodes: z.array(z.string().regex(/^(\[[0-9a-fA-F:]+\]|[^\s:[\]]+):\d{1,5}$/, 'must be host:port')).min(1, 'at least one sentinel'),
    passwordEnv: envVarName.optional(),
    sentinelPasswordEnv: envVarName.optional(),
  })
  .strict();

const redisClusterSchema = z
  .object({
    nodes: z.array(redisUrl).min(1, 'at least one node'),
    passwordEnv: envVarName.optional(),
  })
  .strict();

const redisTlsSchema = z
  .object({
    /** PEM file of the CA that signed the Redis servers' certificates (default: the system CAs). */
    caFile: z.string().min(1).optional(),
    /** Name checked against the server certificate (default: the node's host). */
    servername: z.string().min(1).optional(),
  })
  .strict();

/** The whole gateway configuration (DESIGN §4). Every key has a default except `registries`. */
export const configSchema = z
  .object({
    server: z
      .object({
        port: z.coerce.number().int().min(0).max(65535).default(8080),
        host: z.string().default('0.0.0.0'),
        publicUrl: httpUrl.optional(),
        trustProxy: z.union([z.boolean(), z.number().int(), z.string()]).default(false),
        shutdownTimeout: duration('10s'),
        /** Longest time to receive a request's headers (Node `headersTimeout`); at most requestTimeout. */
        headersTimeout: duration('10s'),
        /** Longest time to receive a whole request, body included (Node `requestTimeout`). */
        requestTimeout: duration('30s'),
        /** Idle time before a kept-alive connection is closed (Node `keepAliveTimeout`). */
        keepAliveTimeout: duration('65s'),
        /** Largest request line plus headers, in bytes (Node `maxHeaderSize`); larger gets 431. */
        maxHeaderBytes: z.number().int().min(1024).max(1024 * 1024).default(16 * 1024),
        /** V8's old-generation growth between full collections, in percent (0 = V8 decides). */
        heapGrowingPercent: z.number().int().min(0).max(400).default(0),
      })
      .strict()
      .prefault({}),
    redis: z
      .object({
        /** One node; the default (redis://127.0.0.1:6379) when neither sentinel nor cluster is set. */
        url: redisUrl.optional(),
        prefix: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits, _ . : - only').default('mcpgw'),
        sentinel: redisSentinelSchema.optional(),
        cluster: redisClusterSchema.optional(),
        tls: redisTlsSchema.optional(),
        /** A command without a reply after this long fails (the API answers 503, not a hang). */
        commandTimeout: duration('2s'),
        connectTimeout: duration('5s'),
      })
      .strict()
      .prefault({}),
    api: z
      .object({
        maxPageSize: z.number().int().min(1).max(10_000).default(100),
        defaultPageSize: z.number().int().min(1).default(30),
      })
      .strict()
      .prefault({}),
    registries: z.array(registrySchema).min(1, 'at least one registry is required'),
    catalog: z
      .object({
        /** How long removed and displaced versions stay visible as tombstones (listings and feeds alike). */
        tombstoneRetention: duration('7d'),
        /** Most live versions one name may have in one registry; further versions are skipped. */
        maxVersionsPerName: z.number().int().min(1).max(10_000).default(1000),
        /** Bytes of served entries each API replica keeps in memory, in whole MiB segments (below 1 MiB = none). */
        entryCacheBytes: z.number().int().min(0).max(4 * 1024 ** 3).default(16 * 1024 ** 2),
      })
      .strict()
      .prefault({}),
    auth: z
      .object({
        mode: z.enum(['none', 'oidc']).default('none'),
        /** One issuer, or several (tokens are matched to an issuer by their `iss`). */
        oidc: z.union([oidcIssuerSchema, z.array(oidcIssuerSchema).min(1)]).optional(),
        /** Advertised in the protected-resource metadata (RFC 9728). */
        scopesSupported: z.array(z.string().min(1)).default(['mcp-registry:read', 'mcp-registry:write']),
        /** Also accept `X-Authorization: Bearer ...` (clients of the MCP Gateway Registry family). */
        acceptXAuthorization: z.boolean().default(true),
        /** Scopes a token must carry: `read` for GET/HEAD, `write` for every other method. Unset = not checked. */
        requiredScopes: z
          .object({ read: z.string().min(1).optional(), write: z.string().min(1).optional() })
          .strict()
          .optional(),
        /** The `realm` in `WWW-Authenticate` challenges. */
        realm: z.string().min(1).default('mcp-registry-gateway'),
      })
      .strict()
      .prefault({}),
    access: z
      .object({ admins: z.array(z.string().min(1)).default([]), rules: z.array(ruleSchema).default([]) })
      .strict()
      .prefault({}),
    publish: z
      .object({
        defaultRegistry: z.string().optional(),
        allowAnonymous: z.boolean().default(false),
        maxBodyBytes: z.number().int().positive().default(256 * 1024),
      })
      .strict()
      .prefault({}),
    worker: z
      .object({
        concurrency: z.number().int().min(1).max(64).default(2),
        lockDuration: duration('15s'),
        stalledInterval: duration('5s'),
      })
      .strict()
      .prefault({}),
    ui: z
      .object({
        /** Serve the operator console at /ui/ (API role). */
        enabled: z.boolean().default(true),
        session: z
          .object({
            lifetime: duration('8h'),
            idleTimeout: duration('1h'),
            cookieName: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ - only').default('mcpgw_session'),
            sameSite: z.enum(['lax', 'strict']).default('lax'),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    events: eventsSchema,
    webhooks: z.array(webhookSchema).default([]),
    logging: z
      .object({
        level: z.enum(['error', 'warn', 'info', 'http', 'debug']).default('info'),
        format: z.enum(['auto', 'json', 'pretty']).default('auto'),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    for (const p of crossCheck(cfg)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
    for (const p of webhookChecks(cfg)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
  });

/** Parsed, defaulted configuration. Durations are milliseconds. */
export type GatewayConfig = z.output<typeof configSchema>;
export type RegistryConfig = GatewayConfig['registries'][number];
export type UpstreamRegistryConfig = Extract<RegistryConfig, { type: 'upstream' }>;
export type FileRegistryConfig = Extract<RegistryConfig, { type: 'file' }>;
export type WebhookConfig = GatewayConfig['webhooks'][number];

/** One configured OIDC issuer. */
export type OidcIssuerConfig = z.output<typeof oidcIssuerSchema>;

/** The configured issuers as a list (`auth.oidc` may be one object or an array). */
export function oidcIssuers(config: GatewayConfig): OidcIssuerConfig[] {
  const o = config.auth.oidc;
  return o === undefined ? [] : Array.isArray(o) ? o : [o];
}
