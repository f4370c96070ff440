import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import * as oidc from 'openid-client';
import { isLoopbackUrl, type OidcIssuerConfig } from '../config/schema.js';
import { AuthenticationError, ServiceUnavailableError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { claimList, withoutBuiltins } from './claims.js';
import { TokenCache, tokenHash } from './TokenCache.js';

/** Verified claims of a token, whichever way it was checked. */
export type TokenClaims = Record<string, unknown> & { iss?: string; sub?: string; client_id?: string };

/** Counts introspection failures by issuer and reason (`invalid_client`, `unreachable`). */
export interface IntrospectionMetrics {
  failed(issuer: string, reason: 'invalid_client' | 'unreachable'): void;
}

/** Builds the 401 for an invalid token (`error="invalid_token"`, RFC 6750). */
export type InvalidToken = (description: string) => AuthenticationError;

const INACTIVE_CACHE_MS = 10_000;
/** Rejected tokens live in their own cache, so a flood of bad tokens cannot evict good ones. */
const INACTIVE_CACHE_ENTRIES = 1_000;
const DISCOVERY_RETRY_MS = 5_000;

/** Normalises an issuer identifier for comparison (no trailing slash). */
export function normalizeIssuer(issuer: string): string {
  return issuer.replace(/\/+$/, '');
}

function describeJoseError(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'the token has expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf') return 'the token is not valid yet';
    if (err.claim === 'iss') return 'the token was issued by another issuer';
    if (err.claim === 'aud') return 'the token is not meant for this gateway (audience)';
    return `the token's ${err.claim} claim is invalid`;
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'the token is signed with an algorithm this gateway does not accept';
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'the token is signed with an unknown key';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'the token signature is invalid';
  if (err instanceof joseErrors.JWSInvalid || err instanceof joseErrors.JWTInvalid) return 'the token is malformed';
  if (err instanceof joseErrors.JWKSTimeout) return 'the issuer signing keys could not be fetched in time';
  return 'the token could not be verified';
}

/**
 * True when the IdP refused the gateway's own client credentials: RFC 7662 §2.3 says 401, as an
 * `invalid_client` error body or a `WWW-Authenticate` challenge.
 */
function clientRejected(err: unknown): boolean {
  if (err instanceof oidc.ResponseBodyError) return err.error === 'invalid_client' || err.status === 401;
  if (err instanceof oidc.WWWAuthenticateChallengeError) return err.status === 401 || err.cause.some((c) => c.parameters.error === 'invalid_client');
  return false;
}

/**
 * Verifies tokens of one OIDC issuer: metadata by discovery (openid-client); JWT access tokens
 * locally against the issuer's JWKS (jose: signature, `iss`, `aud`, `exp`/`nbf` with leeway, an
 * asymmetric-algorithm allow-list; an unknown `kid` triggers one rate-limited JWKS refresh); opaque
 * tokens by RFC 7662 introspection with the gateway's client credentials (`client_secret_basic` or
 * `client_secret_post`), cached by token hash until min(exp, cacheTtl).
 */
export class IssuerVerifier {
  readonly issuer: string;
  private configuration: oidc.Configuration | undefined;
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  private discovering: Promise<void> | undefined;
  private lastFailure = 0;
  private readonly active: TokenCache<TokenClaims>;
  private readonly inactive = new TokenCache<true>(INACTIVE_CACHE_ENTRIES);
  /** Introspections in flight by token hash: concurrent requests with one token share one call. */
  private readonly inflight = new Map<string, Promise<TokenClaims | undefined>>();
  private metadataIssuer = '';
  private readonly audiences: string[];

  /**
   * @param trustGroups whether groups in this issuer's tokens count (see `trustGroups` in config)
   * @param metrics where introspection failures are counted
   */
  constructor(
    readonly config: OidcIssuerConfig,
    private readonly clientSecret: string | undefined,
    private readonly logger: Logger,
    readonly trustGroups: boolean,
    private readonly metrics: IntrospectionMetrics,
  ) {
    this.issuer = normalizeIssuer(config.issuer);
    this.audiences = Array.isArray(config.audience) ? config.audience : [config.audience];
    this.active = new TokenCache<TokenClaims>(config.introspection?.cacheMaxEntries);
  }

  /** The caller's groups from verified claims: prefixed with `groupPrefix`, or none if untrusted. */
  groupsOf(claims: TokenClaims): string[] {
    if (!this.trustGroups) return [];
    return withoutBuiltins(claimList(claims, this.config.groupsClaim)).map((g) => this.config.groupPrefix + g);
  }

  /** True when opaque tokens can be checked (introspection configured). */
  get introspects(): boolean {
    return this.config.introspection !== undefined;
  }

  /**
   * Discovers the issuer's metadata (once; retried at most every few seconds after a failure).
   * @throws ServiceUnavailableError while the issuer cannot be reached.
   */
  async ready(): Promise<void> {
    if (this.configuration) return;
    if (!this.discovering) {
      if (Date.now() - this.lastFailure < DISCOVERY_RETRY_MS) throw this.unavailable();
      this.discovering = this.discover().finally(() => {
        this.discovering = undefined;
      });
    }
    await this.discovering;
  }

  private unavailable(): ServiceUnavailableError {
    return new ServiceUnavailableError('The identity provider is unreachable, so the token cannot be checked. Retry shortly.', { headers: { 'Retry-After': '5' } });
  }

  private async discover(): Promise<void> {
    const clientId = this.config.introspection?.clientId ?? this.audiences[0] ?? 'mcp-registry-gateway';
    const insecure = isLoopbackUrl(this.config.issuer);
    try {
      const configuration = await oidc.discovery(new URL(this.config.issuer), clientId, this.clientSecret, this.clientAuth(), {
        ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
        timeout: 10,
      });
      const meta = configuration.serverMetadata();
      if (!meta.jwks_uri) throw new Error('the issuer publishes no jwks_uri');
      this.jwks = createRemoteJWKSet(new URL(meta.jwks_uri), { cooldownDuration: this.config.jwksCooldown, cacheMaxAge: 600_000, timeoutDuration: 5_000 });
      this.configuration = configuration;
      this.metadataIssuer = meta.issuer;
      this.logger.info('oidc issuer discovered', { issuer: this.issuer, introspection: Boolean(meta.introspection_endpoint && this.introspects) });
    } catch (err) {
      this.lastFailure = Date.now();
      this.logger.warn('oidc discovery failed', { issuer: this.issuer, error: (err as Error).message });
      throw this.unavailable();
    }
  }

  private clientAuth(): oidc.ClientAuth {
    if (!this.clientSecret) return oidc.None();
    return this.config.introspection?.authMethod === 'client_secret_post' ? oidc.ClientSecretPost(this.clientSecret) : oidc.ClientSecretBasic(this.clientSecret);
  }

  /**
   * Verifies a JWT access token.
   * @throws AuthenticationError (via `invalid`) for any invalid token.
   */
  async verifyJwt(token: string, invalid: InvalidToken): Promise<TokenClaims> {
    await this.ready();
    try {
      const { payload } = await jwtVerify(token, this.jwks as ReturnType<typeof createRemoteJWKSet>, {
        issuer: this.metadataIssuer,
        audience: this.audiences,
        algorithms: this.config.algorithms,
        clockTolerance: Math.round(this.config.clockTolerance / 1000),
        requiredClaims: ['exp'],
      });
      return payload as JWTPayload & TokenClaims;
    } catch (err) {
      if (err instanceof joseErrors.JWKSTimeout) throw this.unavailable();
      throw invalid(describeJoseError(err));
    }
  }

  /**
   * Checks an opaque token by introspection. Active results are cached until min(exp, cacheTtl),
   * rejections for a few seconds in a separate bounded cache; concurrent checks of one token share
   * one introspection call. Returns undefined when the issuer says the token is not active (or not
   * meant for this gateway).
   * @throws ServiceUnavailableError when the issuer cannot be asked, or rejects the gateway's own
   * client credentials (logged and counted as `invalid_client`).
   */
  async introspect(token: string): Promise<TokenClaims | undefined> {
    if (!this.introspects) return undefined;
    const now = Date.now();
    const hit = this.active.get(token, now);
    if (hit) return hit;
    if (this.inactive.get(token, now)) return undefined;
    const key = tokenHash(token);
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.callIntrospection(token).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  private async callIntrospection(token: string): Promise<TokenClaims | undefined> {
    await this.ready();
    let response: oidc.IntrospectionResponse;
    try {
      response = await oidc.tokenIntrospection(this.configuration as oidc.Configuration, token);
    } catch (err) {
      if (clientRejected(err)) {
        this.metrics.failed(this.issuer, 'invalid_client');
        this.logger.error('introspection client rejected: invalid_client; check clientId/clientSecretEnv', {
          issuer: this.issuer,
          clientId: this.config.introspection?.clientId,
          authMethod: this.config.introspection?.authMethod,
        });
        throw new ServiceUnavailableError('The token cannot be checked: the identity provider rejected this gateway\'s introspection credentials. An operator must fix the gateway configuration.');
      }
      this.metrics.failed(this.issuer, 'unreachable');
      this.logger.warn('token introspection failed', { issuer: this.issuer, error: (err as Error).message });
      throw this.unavailable();
    }
    const now = Date.now();
    const claims = response as unknown as TokenClaims;
    const aud = claims.aud;
    const audList = Array.isArray(aud) ? aud : typeof aud === 'string' ? [aud] : [];
    const exp = typeof response.exp === 'number' ? response.exp * 1000 : undefined;
    // The token must be meant for this gateway: a token without an audience is refused too.
    const active = response.active === true && (exp === undefined || exp > now) && audList.some((a) => this.audiences.includes(String(a)));
    if (!active) {
      this.inactive.set(token, true, now + INACTIVE_CACHE_MS);
      return undefined;
    }
    const ttl = (this.config.introspection as { cacheTtl: number }).cacheTtl;
    this.active.set(token, claims, Math.min(exp ?? Number.POSITIVE_INFINITY, now + ttl));
    return claims;
  }
}
