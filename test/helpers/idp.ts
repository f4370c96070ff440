import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { startOidcProvider } from '../../devServices/oidc-provider.mjs';
import { freePort } from '../../devServices/redis.mjs';

/** A client of the test IdP, issuing client-credentials tokens carrying `groups`. */
export interface IdpClient {
  id: string;
  secret: string;
  groups: string[];
}

/** A real OpenID Provider (`oidc-provider`) on loopback, for auth tests. */
export interface TestIdp {
  issuer: string;
  /** The audience (resource indicator) of JWT access tokens. */
  audience: string;
  /** The audience of opaque access tokens (checked by introspection). */
  opaqueAudience: string;
  /** The gateway's introspection credentials. */
  introspection: { clientId: string; secret: string };
  /** A JWT access token for a client (client credentials grant); `scope` defaults to mcp-registry:read. */
  token(clientId: string, scope?: string): Promise<string>;
  /** An opaque access token for a client (checked by introspection). */
  opaqueToken(clientId: string, scope?: string): Promise<string>;
  /** Signs arbitrary claims with the IdP's current signing key (or another key). */
  sign(claims: Record<string, unknown>, options?: { kid?: string; key?: JWK; alg?: string }): Promise<string>;
  /** The IdP's current public signing key. */
  publicJwk(): JWK;
  /** Restarts the IdP with a new signing key (new kid), same issuer. */
  rotateKeys(): Promise<void>;
  /** Requests served by the introspection (in all, and with HTTP Basic client auth) and JWKS endpoints. */
  counts: { introspection: number; introspectionWithBasicAuth: number; jwks: number };
  close(): Promise<void>;
}

async function newKey(kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
}

/** Interactive sign-in at the test IdP (authorization code + PKCE), for console tests. */
export interface IdpInteractive {
  /** The console's client. */
  consoleClient: { id: string; secret: string; redirectUris: string[]; postLogoutRedirectUris: string[] };
  /** Users who may sign in on the IdP's login page (username, password). */
  users: Array<{ id: string; password: string; groups: string[]; name?: string }>;
}

/** Starts an OIDC provider with the given clients (and, optionally, interactive sign-in). */
export async function startTestIdp(clients: IdpClient[], interactive?: IdpInteractive): Promise<TestIdp> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const audience = 'https://mcp-gateway.test/';
  const opaqueAudience = 'https://mcp-gateway.test/opaque';
  const introspection = { clientId: 'gateway', secret: 'gateway-secret' };
  let key = await newKey('key-1');
  let generation = 1;
  const counts = { introspection: 0, introspectionWithBasicAuth: 0, jwks: 0 };

  let running: { stop(): Promise<void> } | undefined;
  const start = async () => {
    running = await startOidcProvider({
      port,
      clients,
      keys: [key],
      audience,
      opaqueAudience,
      introspection,
      ...(interactive ?? {}),
      onRequest: (path: string, headers: Record<string, string | string[] | undefined>) => {
        if (path.endsWith('/introspection')) counts.introspection++;
        if (path.endsWith('/introspection') && String(headers.authorization ?? '').startsWith('Basic ')) counts.introspectionWithBasicAuth++;
        if (path.endsWith('/jwks')) counts.jwks++;
      },
    });
  };
  await start();

  const requestToken = async (clientId: string, resource: string, scope = 'mcp-registry:read'): Promise<string> => {
    const client = clients.find((c) => c.id === clientId);
    if (!client) throw new Error(`unknown client ${clientId}`);
    const res = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource, ...(scope ? { scope } : {}) }),
    });
    const body = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
    if (!body.access_token) throw new Error(`token request failed: ${body.error} ${body.error_description}`);
    return body.access_token;
  };

  const stop = async () => {
    await running?.stop();
    running = undefined;
  };

  return {
    issuer,
    audience,
    opaqueAudience,
    introspection,
    counts,
    token: (id, scope) => requestToken(id, audience, scope),
    opaqueToken: (id, scope) => requestToken(id, opaqueAudience, scope),
    async sign(claims, options = {}) {
      const jwk = options.key ?? key;
      const alg = options.alg ?? 'RS256';
      const signingKey = await importJWK(jwk, alg);
      return new SignJWT(claims).setProtectedHeader({ alg, kid: options.kid ?? (jwk.kid as string), typ: 'at+jwt' }).sign(signingKey);
    },
    publicJwk() {
      const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = key;
      return pub;
    },
    async rotateKeys() {
      await stop();
      generation++;
      key = await newKey(`key-${generation}`);
      await start();
    },
    close: stop,
  };
}
