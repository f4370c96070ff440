import * as oidc from 'openid-client';
import { isLoopbackUrl, type OidcIssuerConfig } from '../config/schema.js';
import { ServiceUnavailableError } from '../errors.js';
import type { Logger } from '../observability/logger.js';

/** Tokens the console keeps for a session. */
export interface ConsoleTokens {
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  /** Epoch ms. */
  accessExpiresAt: number;
  subject: string;
  name?: string;
}

/** The issuer configuration, with the console client (`auth.oidc.ui`) required. */
export type ConsoleIssuerConfig = OidcIssuerConfig & { ui: NonNullable<OidcIssuerConfig['ui']> };

/** Access tokens without `expires_in` are treated as valid this long. */
const DEFAULT_TOKEN_SECONDS = 300;

/** Console sign-in as an OIDC relying party (confidential client, authorization code + PKCE). */
export interface ConsoleSignIn {
  authorizationUrl(o: { redirectUri: string; state: string; nonce: string; codeVerifier: string }): Promise<URL>;
  exchange(callbackUrl: URL, o: { state: string; nonce: string; codeVerifier: string }): Promise<ConsoleTokens>;
  refresh(refreshToken: string): Promise<Omit<ConsoleTokens, 'subject' | 'name'>>;
  /** The issuer's RP-initiated logout URL, or undefined when it has no end_session_endpoint. */
  endSessionUrl(o: { idTokenHint?: string; postLogoutRedirectUri: string }): Promise<URL | undefined>;
}

/**
 * openid-client 6 against the configured issuer. Discovery happens on first use and is retried on
 * the next sign-in if it failed, so an IdP outage never stops the gateway from starting. Plain
 * http issuers are accepted only on loopback (the schema enforces it).
 */
export class ConsoleOidc implements ConsoleSignIn {
  private configuration: Promise<oidc.Configuration> | undefined;

  constructor(
    private readonly issuer: ConsoleIssuerConfig,
    private readonly clientSecret: string,
    private readonly logger: Logger,
  ) {}

  private discover(): Promise<oidc.Configuration> {
    if (!this.configuration) {
      const insecure = this.issuer.issuer.startsWith('http://') && isLoopbackUrl(this.issuer.issuer);
      this.configuration = oidc
        .discovery(new URL(this.issuer.issuer), this.issuer.ui.clientId, undefined, oidc.ClientSecretBasic(this.clientSecret), insecure ? { execute: [oidc.allowInsecureRequests] } : undefined)
        .catch((err: Error) => {
          this.configuration = undefined;
          this.logger.warn('console sign-in: issuer discovery failed', { issuer: this.issuer.issuer, error: err.message });
          throw new ServiceUnavailableError('Sign-in is unavailable: the identity provider cannot be reached. Try again shortly.');
        });
    }
    return this.configuration;
  }

  private resourceParams(): Record<string, string> {
    return this.issuer.ui.resource ? { resource: this.issuer.ui.resource } : {};
  }

  async authorizationUrl(o: { redirectUri: string; state: string; nonce: string; codeVerifier: string }): Promise<URL> {
    const config = await this.discover();
    return oidc.buildAuthorizationUrl(config, {
      redirect_uri: o.redirectUri,
      scope: this.issuer.ui.scopes.join(' '),
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(o.codeVerifier),
      code_challenge_method: 'S256',
      state: o.state,
      nonce: o.nonce,
      ...this.resourceParams(),
    });
  }

  async exchange(callbackUrl: URL, o: { state: string; nonce: string; codeVerifier: string }): Promise<ConsoleTokens> {
    const config = await this.discover();
    const tokens = await oidc.authorizationCodeGrant(
      config,
      callbackUrl,
      { pkceCodeVerifier: o.codeVerifier, expectedState: o.state, expectedNonce: o.nonce, idTokenExpected: true },
      this.resourceParams(),
    );
    const claims = tokens.claims();
    if (!claims) throw new Error('the token response has no ID token');
    const name = [claims.name, claims.preferred_username, claims.email].find((v): v is string => typeof v === 'string');
    return { ...this.toTokens(tokens), subject: claims.sub, ...(name ? { name } : {}) };
  }

  async refresh(refreshToken: string): Promise<Omit<ConsoleTokens, 'subject' | 'name'>> {
    const tokens = await oidc.refreshTokenGrant(await this.discover(), refreshToken, this.resourceParams());
    return { ...this.toTokens(tokens), ...(tokens.refresh_token ? {} : { refreshToken }) };
  }

  async endSessionUrl(o: { idTokenHint?: string; postLogoutRedirectUri: string }): Promise<URL | undefined> {
    const config = await this.discover();
    if (!config.serverMetadata().end_session_endpoint) return undefined;
    return oidc.buildEndSessionUrl(config, {
      client_id: this.issuer.ui.clientId,
      post_logout_redirect_uri: o.postLogoutRedirectUri,
      ...(o.idTokenHint ? { id_token_hint: o.idTokenHint } : {}),
    });
  }

  private toTokens(tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers): Omit<ConsoleTokens, 'subject' | 'name'> {
    const out: Omit<ConsoleTokens, 'subject' | 'name'> = {
      accessToken: tokens.access_token,
      accessExpiresAt: Date.now() + (tokens.expiresIn() ?? DEFAULT_TOKEN_SECONDS) * 1000,
    };
    if (tokens.refresh_token) out.refreshToken = tokens.refresh_token;
    if (tokens.id_token) out.idToken = tokens.id_token;
    return out;
  }
}
