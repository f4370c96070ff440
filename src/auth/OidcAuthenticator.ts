import type { IncomingHttpHeaders } from 'node:http';
import { decodeJwt } from 'jose';
import { anonymousPrincipal, authenticatedPrincipal, type Principal } from '../access/principal.js';
import { oidcIssuers, type GatewayConfig } from '../config/schema.js';
import { AuthenticationError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { Authenticator } from './Authenticator.js';
import { looksLikeJwt, readBearer } from './bearer.js';
import { claimList, scopesOf, withoutBuiltins } from './claims.js';
import { IssuerVerifier, normalizeIssuer, type TokenClaims } from './IssuerVerifier.js';

/** Where clients find the protected-resource metadata (RFC 9728) for this gateway. */
export function resourceMetadataUrl(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/.well-known/oauth-protected-resource`;
}

/**
 * `auth.mode: oidc`: bearer tokens from one or more OIDC issuers. JWTs are routed to their issuer
 * by `iss` and verified locally; other tokens go to the issuers that have introspection configured.
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
    this.verifiers = oidcIssuers(config).map((c) => new IssuerVerifier(c, c.introspection ? env[c.introspection.clientSecretEnv] : undefined, logger));
    this.byIssuer = new Map(this.verifiers.map((v) => [v.issuer, v]));
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
  challenge(error?: { code: string; description: string }): string {
    const parts = [`Bearer realm="${this.realm}"`];
    if (error) parts.push(`error="${error.code}"`, `error_description="${error.description.replace(/"/g, "'")}"`);
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
    const claims = await this.verify(bearer.token);
    const verifier = (claims.iss && this.byIssuer.get(normalizeIssuer(String(claims.iss)))) || this.verifiers[0];
    const subject = String(claims.sub ?? claims.client_id ?? 'unknown');
    const groups = withoutBuiltins(claimList(claims, verifier?.config.groupsClaim ?? 'groups'));
    return authenticatedPrincipal(subject, groups, scopesOf(claims));
  }

  private async verify(token: string): Promise<TokenClaims> {
    if (looksLikeJwt(token)) {
      let iss: unknown;
      try {
        iss = decodeJwt(token).iss;
      } catch {
        throw this.invalid('the token is malformed');
      }
      const verifier = typeof iss === 'string' ? this.byIssuer.get(normalizeIssuer(iss)) : undefined;
      if (!verifier) throw this.invalid('the token was issued by an issuer this gateway does not trust');
      return verifier.verifyJwt(token, this.invalid);
    }
    for (const verifier of this.verifiers) {
      const claims = await verifier.introspect(token);
      if (claims) return claims;
    }
    throw this.invalid(this.verifiers.some((v) => v.introspects) ? 'the token is not active' : 'the token is not a JWT and no issuer is configured for introspection');
  }
}
