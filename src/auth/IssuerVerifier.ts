import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import * as oidc from 'openid-client';
import { isLoopbackUrl, type OidcIssuerConfig } from '../config/schema.js';
import { AuthenticationError, ServiceUnavailableError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { TokenCache } from './TokenCache.js';

/** Verified claims of a token, whichever way it was checked. */
export type TokenClaims = Record<string, unknown> & { iss?: string; sub?: string; client_id?: string };

/** Builds the 401 for an invalid token (`error="invalid_token"`, RFC 6750). */
export type InvalidToken = (description: string) => AuthenticationError;

const INACTIVE_CACHE_MS = 10_000;
const VERIFIED_CACHE_MS = 300_000;
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
 * Verifies tokens of one OIDC issuer: metadata by discovery (openid-client); JWT access tokens
 * locally against the issuer's JWKS (jose: signature, `iss`, `aud`, `exp`/`nbf` with leeway, an
 * asymmetric-algorithm allow-list; an unknown `kid` triggers one rate-limited JWKS refresh); opaque
 * tokens by RFC 7662 introspection with the gateway's client credentials, cached by token hash until
 * min(exp, cacheTtl).
 */
export class IssuerVerifier {
  readonly issuer: string;
  private configuration: oidc.Configuration | undefined;
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  private discovering: Promise<void> | undefined;
  private lastFailure = 0;
  private readonly cache = new TokenCache<TokenClaims | null>();
  /** Verified JWTs by token hash, until min(exp, 5 min): repeat requests skip the signature check. */
  private readonly verified = new TokenCache<TokenClaims>();
  private metadataIssuer = '';
  private readonly audiences: string[];

  constructor(
    readonly config: OidcIssuerConfig,
    private readonly clientSecret: string | undefined,
    private readonly logger: Logger,
  ) {
    this.issuer = normalizeIssuer(config.issuer);
    this.audiences = Array.isArray(config.audience) ? config.audience : [config.audience];
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
      const configuration = await oidc.discovery(new URL(this.config.issuer), clientId, this.clientSecret, this.clientSecret ? oidc.ClientSecretBasic(this.clientSecret) : oidc.None(), {
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

  /**
   * Verifies a JWT access token.
   * @throws AuthenticationError (via `invalid`) for any invalid token.
   */
  async verifyJwt(token: string, invalid: InvalidToken): Promise<TokenClaims> {
    const now = Date.now();
    const hit = this.verified.get(token, now);
    // Re-check expiry on every hit: the cache never outlives the token (plus the clock tolerance).
    if (hit && typeof hit.exp === 'number' && hit.exp * 1000 + this.config.clockTolerance > now) return hit;
    await this.ready();
    try {
      const { payload } = await jwtVerify(token, this.jwks as ReturnType<typeof createRemoteJWKSet>, {
        issuer: this.metadataIssuer,
        audience: this.audiences,
        algorithms: this.config.algorithms,
        clockTolerance: Math.round(this.config.clockTolerance / 1000),
        requiredClaims: ['exp'],
      });
      const claims = payload as JWTPayload & TokenClaims;
      this.verified.set(token, claims, Math.min((claims.exp as number) * 1000, now + VERIFIED_CACHE_MS));
      return claims;
    } catch (err) {
      if (err instanceof joseErrors.JWKSTimeout) throw this.unavailable();
      throw invalid(describeJoseError(err));
    }
  }

  /**
   * Checks an opaque token by introspection (cached). Returns undefined when the issuer does not
   * know the token (inactive), so the caller can try another issuer.
   */
  async introspect(token: string): Promise<TokenClaims | undefined> {
    if (!this.introspects) return undefined;
    const cached = this.cache.get(token);
    if (cached !== undefined) return cached ?? undefined;
    await this.ready();
    let response: oidc.IntrospectionResponse;
    try {
      response = await oidc.tokenIntrospection(this.configuration as oidc.Configuration, token);
    } catch (err) {
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
      this.cache.set(token, null, now + INACTIVE_CACHE_MS);
      return undefined;
    }
    const ttl = (this.config.introspection as { cacheTtl: number }).cacheTtl;
    this.cache.set(token, claims, Math.min(exp ?? Number.POSITIVE_INFINITY, now + ttl));
    return claims;
  }
}
