import type { IncomingHttpHeaders } from 'node:http';
import { decodeJwt } from 'jose';
import client from 'prom-client';
import { anonymousPrincipal, authenticatedPrincipal, type Principal } from '../access/principal.js';
import { oidcIssuers, type GatewayConfig } from '../config/schema.js';
import { AuthenticationError, ForbiddenError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { Authenticator } from './Authenticator.js';
import { looksLikeJwt, readBearer } from './bearer.js';
import { scopesOf } from './claims.js';
import { IssuerVerifier, normalizeIssuer, type TokenClaims } from './IssuerVerifier.js';
import { TokenCache } from './TokenCache.js';

const VERIFIED_CACHE_MS = 300_000;

/** Where clients find the protected-resource metadata (RFC 9728) for this gateway. */
export function resourceMetadataUrl(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/.well-known/oauth-protected-resource`;
}

/**
 * `auth.mode: oidc`: bearer tokens from one or more OIDC issuers. JWTs are routed to their issuer
 * by `iss` and verified locally; opaque tokens go to the first issuer with introspection configured,
 * and to no other. Groups count only from trusted issuers (`trustGroups`, default: the first
 * issuer), each prefixed with its issuer's `groupPrefix`.
 * A request without credentials is anonymous (the `$anonymous` rules decide what it sees); a
 * request with bad credentials is a 401 with an RFC 6750 challenge pointing at the RFC 9728
 * metadata.
 */
export class OidcAuthenticator implements Authenticator {
  readonly enabled = true;
  private readonly verifiers: IssuerVerifier[];
  private readonly byIssuer: Map<string, IssuerVerifier>;
  private readonly realm: string;
  private readonly acceptX: boolean;
  /** The one issuer opaque tokens are sent to: the first with `introspection` configured. */
  private readonly introspector: IssuerVerifier | undefined;
  private readonly requiredScopes: { read?: string; write?: string };
  private readonly failures: client.Counter<'issuer' | 'reason'>;
  /**
   * Callers of verified JWTs by token hash, until min(exp, 5 min): a repeat request costs one hash
   * (no decoding, no signature check). Introspected tokens are cached by their verifier instead.
   */
  private readonly verified = new TokenCache<Principal>();

  /**
   * @param publicUrl the gateway's external base URL (for `resource_metadata`); a function because
   * it may be known only once the server listens
   */
  constructor(
    config: GatewayConfig,
    private readonly publicUrl: () => string,
    private readonly logger: Logger,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.realm = config.auth.realm;
    this.acceptX = config.auth.acceptXAuthorization;
    this.requiredScopes = config.auth.requiredScopes ?? {};
    this.failures = new client.Counter({
      name: 'mcpgw_oidc_introspection_failures_total',
      help: 'Token introspections that failed, by issuer and reason (invalid_client: the IdP rejected the gateway credentials)',
      labelNames: ['issuer', 'reason'] as const,
      registers: [],
    });
    const metrics = { failed: (issuer: string, reason: string) => this.failures.inc({ issuer, reason }) };
    this.verifiers = oidcIssuers(config).map(
      (c, i) => new IssuerVerifier(c, c.introspection ? env[c.introspection.clientSecretEnv] : undefined, logger, c.trustGroups ?? i === 0, metrics),
    );
    this.byIssuer = new Map(this.verifiers.map((v) => [v.issuer, v]));
    const introspecting = this.verifiers.filter((v) => v.introspects);
    this.introspector = introspecting[0];
    for (const ignored of introspecting.slice(1)) {
      logger.warn('introspection configured on a second issuer is ignored: opaque tokens go to the first issuer with introspection only', { issuer: ignored.issuer, opaqueTokensGoTo: this.introspector?.issuer });
    }
  }

  /** Adds the authenticator's metrics (introspection failures) to a Prometheus registry. */
  registerMetrics(registry: client.Registry): void {
    registry.registerMetric(this.failures);
  }

  /** Issuer identifiers, for the protected-resource metadata. */
  get issuers(): string[] {
    return this.verifiers.map((v) => v.config.issuer);
  }

  /** Discovers every issuer now (failures are logged and retried on demand). */
  async init(): Promise<void> {
    await Promise.all(this.verifiers.map((v) => v.ready().catch(() => undefined)));
  }

  /** The `WWW-Authenticate` value for a 401 (`error` omitted when no credentials were sent). */
  challenge(error?: { code: string; description: string; scope?: string }): string {
    const parts = [`Bearer realm="${this.realm}"`];
    if (error) parts.push(`error="${error.code}"`, `error_description="${error.description.replace(/"/g, "'")}"`);
    if (error?.scope) parts.push(`scope="${error.scope}"`);
    parts.push(`resource_metadata="${resourceMetadataUrl(this.publicUrl())}"`);
    return parts.join(', ');
  }

  /** A 401 for a request that must authenticate (no credentials). */
  missingCredentials(detail: string): AuthenticationError {
    return new AuthenticationError(detail, { headers: { 'WWW-Authenticate': this.challenge() } });
  }

  private invalid = (description: string): AuthenticationError =>
    new AuthenticationError(`Invalid bearer token: ${description}.`, {
      headers: { 'WWW-Authenticate': this.challenge({ code: 'invalid_token', description }) },
    });

  async authenticate(headers: IncomingHttpHeaders): Promise<Principal> {
    const bearer = readBearer(headers, this.acceptX);
    if (bearer.kind === 'none') return anonymousPrincipal();
    if (bearer.kind === 'malformed') {
      throw new AuthenticationError(`Invalid credentials: ${bearer.reason}.`, {
        headers: { 'WWW-Authenticate': this.challenge({ code: 'invalid_request', description: bearer.reason }) },
      });
    }
    const now = Date.now();
    const known = this.verified.get(bearer.token, now);
    if (known) return known;
    const { claims, verifier, jwt } = await this.verify(bearer.token);
    const subject = String(claims.sub ?? claims.client_id ?? 'unknown');
    const principal = authenticatedPrincipal(subject, verifier.groupsOf(claims), scopesOf(claims));
    if (jwt && typeof claims.exp === 'number') this.verified.set(bearer.token, principal, Math.min(claims.exp * 1000, now + VERIFIED_CACHE_MS));
    return principal;
  }

  /**
   * With `auth.requiredScopes`, a token must carry the read scope (or the write scope) for reads and
   * the write scope for writes; anonymous callers are governed by the `$anonymous` rules instead.
   * @throws ForbiddenError with an RFC 6750 `insufficient_scope` challenge naming the scope.
   */
  checkScopes(principal: Principal, write: boolean): void {
    if (principal.anonymous) return;
    const { read, write: writeScope } = this.requiredScopes;
    const needed = write ? writeScope : read;
    if (needed === undefined) return;
    const accepted = write || writeScope === undefined ? [needed] : [needed, writeScope];
    if (accepted.some((s) => principal.scopes.includes(s))) return;
    const description = `the token lacks the ${needed} scope`;
    throw new ForbiddenError(`Insufficient scope: ${write ? 'writes' : 'reads'} need a token with the "${needed}" scope.`, {
      headers: { 'WWW-Authenticate': this.challenge({ code: 'insufficient_scope', description, scope: needed }) },
    });
  }

  private async verify(token: string): Promise<{ claims: TokenClaims; verifier: IssuerVerifier; jwt: boolean }> {
    if (looksLikeJwt(token)) {
      let iss: unknown;
      try {
        iss = decodeJwt(token).iss;
      } catch {
        throw this.invalid('the token is malformed');
      }
      const verifier = typeof iss === 'string' ? this.byIssuer.get(normalizeIssuer(iss)) : undefined;
      if (!verifier) throw this.invalid('the token was issued by an issuer this gateway does not trust');
      return { claims: await verifier.verifyJwt(token, this.invalid), verifier, jwt: true };
    }
    // An opaque token names no issuer: it goes to one issuer only, never to every one configured
    // (another IdP would see, and could replay, this IdP's tokens).
    const verifier = this.introspector;
    if (!verifier) throw this.invalid('the token is not a JWT and no issuer is configured for introspection');
    const claims = await verifier.introspect(token);
    if (!claims) throw this.invalid('the token is not active');
    return { claims, verifier, jwt: false };
  }
}
