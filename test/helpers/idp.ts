import type { Server } from 'node:http';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import Provider from 'oidc-provider';
import { freePort } from '../../scripts/redis.mjs';

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
  /** A JWT access token for a client (client credentials grant). */
  token(clientId: string): Promise<string>;
  /** An opaque access token for a client (checked by introspection). */
  opaqueToken(clientId: string): Promise<string>;
  /** Signs arbitrary claims with the IdP's current signing key (or another key). */
  sign(claims: Record<string, unknown>, options?: { kid?: string; key?: JWK; alg?: string }): Promise<string>;
  /** The IdP's current public signing key. */
  publicJwk(): JWK;
  /** Restarts the IdP with a new signing key (new kid), same issuer. */
  rotateKeys(): Promise<void>;
  /** Requests served by the token and introspection endpoints. */
  counts: { introspection: number; jwks: number };
  close(): Promise<void>;
}

async function newKey(kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
}

/** Starts an OIDC provider with the given clients. */
export async function startTestIdp(clients: IdpClient[]): Promise<TestIdp> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const audience = 'https://mcp-gateway.test/';
  const opaqueAudience = 'https://mcp-gateway.test/opaque';
  const introspection = { clientId: 'gateway', secret: 'gateway-secret' };
  const groupsOf = new Map(clients.map((c) => [c.id, c.groups]));
  let key = await newKey('key-1');
  let generation = 1;
  let server: Server | undefined;
  const counts = { introspection: 0, jwks: 0 };

  const start = async () => {
    const provider = new Provider(issuer, {
      clients: [
        ...clients.map((c) => ({ client_id: c.id, client_secret: c.secret, grant_types: ['client_credentials'], redirect_uris: [], response_types: [] })),
        { client_id: introspection.clientId, client_secret: introspection.secret, grant_types: [], redirect_uris: [], response_types: [] },
      ],
      jwks: { keys: [key] },
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        introspection: { enabled: true, allowedPolicy: async () => true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => audience,
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx: unknown, resource: string) => ({
            scope: 'mcp-registry:read',
            audience: resource,
            accessTokenTTL: 300,
            accessTokenFormat: resource === opaqueAudience ? 'opaque' : 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          }),
        },
      },
      extraTokenClaims: async (_ctx: unknown, token: { clientId?: string }) => ({ groups: groupsOf.get(token.clientId ?? '') ?? [] }),
    } as ConstructorParameters<typeof Provider>[1]);
    provider.use(async (ctx, next) => {
      if (ctx.path.endsWith('/introspection') || ctx.path.endsWith('/token/introspection')) counts.introspection++;
      if (ctx.path.endsWith('/jwks')) counts.jwks++;
      await next();
    });
    server = await new Promise<Server>((resolve) => {
      const s = provider.listen(port, '127.0.0.1', () => resolve(s));
    });
  };
  await start();

  const requestToken = async (clientId: string, resource: string): Promise<string> => {
    const client = clients.find((c) => c.id === clientId);
    if (!client) throw new Error(`unknown client ${clientId}`);
    const res = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope: 'mcp-registry:read' }),
    });
    const body = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
    if (!body.access_token) throw new Error(`token request failed: ${body.error} ${body.error_description}`);
    return body.access_token;
  };

  const stop = () =>
    new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.closeAllConnections();
      server.close(() => resolve());
    });

  return {
    issuer,
    audience,
    opaqueAudience,
    introspection,
    counts,
    token: (id) => requestToken(id, audience),
    opaqueToken: (id) => requestToken(id, opaqueAudience),
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
