// A local OpenID Provider (the certified `oidc-provider` package) for the demo's auth mode and the
// auth tests: client-credentials grants issuing JWT access tokens (or opaque ones for a second
// resource) that carry a `groups` claim, plus RFC 7662 introspection for the gateway; and, for the
// operator console, an authorization-code client (PKCE required) with a small username/password
// login page for a fixed list of users.
import Provider from 'oidc-provider';
import { interactionRoutes } from './oidc-login.mjs';

/**
 * Starts the provider on 127.0.0.1:`port`.
 * @param {object} o
 * @param {number} o.port
 * @param {Array<{id: string, secret: string, groups: string[]}>} o.clients
 * @param {object[]} o.keys private JWKs used to sign
 * @param {string} o.audience resource indicator of JWT access tokens
 * @param {string} o.opaqueAudience resource indicator of opaque access tokens
 * @param {{clientId: string, secret: string}} o.introspection the gateway's credentials
 * @param {(path: string, headers: Record<string, string | string[] | undefined>) => void} [o.onRequest]
 * @param {{id: string, secret: string, redirectUris: string[], postLogoutRedirectUris: string[]}} [o.consoleClient]
 *   an authorization-code client (PKCE required) for the console
 * @param {Array<{id: string, password: string, groups: string[], name?: string}>} [o.users] who may sign in
 */
export async function startOidcProvider(o) {
  const issuer = `http://127.0.0.1:${o.port}`;
  const groupsOf = new Map(o.clients.map((c) => [c.id, c.groups]));
  const users = new Map((o.users ?? []).map((u) => [u.id, u]));
  const consoleClients = o.consoleClient
    ? [
        {
          client_id: o.consoleClient.id,
          client_secret: o.consoleClient.secret,
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          redirect_uris: o.consoleClient.redirectUris,
          post_logout_redirect_uris: o.consoleClient.postLogoutRedirectUris,
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ]
    : [];
  const provider = new Provider(issuer, {
    clients: [
      ...o.clients.map((c) => ({ client_id: c.id, client_secret: c.secret, grant_types: ['client_credentials'], redirect_uris: [], response_types: [] })),
      { client_id: o.introspection.clientId, client_secret: o.introspection.secret, grant_types: [], redirect_uris: [], response_types: [] },
      ...consoleClients,
    ],
    pkce: { required: () => true },
    // Like most IdPs (and unlike oidc-provider's default), give the console a refresh token
    // without asking for offline_access.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, id) => {
      const user = users.get(id);
      return user ? { accountId: id, claims: () => ({ sub: id, name: user.name ?? id, groups: user.groups }) } : undefined;
    },
    claims: { openid: ['sub'], profile: ['name'] },
    jwks: { keys: o.keys },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: async () => true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => o.audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => ({
          scope: 'mcp-registry:read mcp-registry:write',
          audience: resource,
          accessTokenTTL: 3600,
          accessTokenFormat: resource === o.opaqueAudience ? 'opaque' : 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    extraTokenClaims: async (_ctx, token) => ({
      groups: token.accountId ? (users.get(token.accountId)?.groups ?? []) : (groupsOf.get(token.clientId ?? '') ?? []),
    }),
  });
  provider.use(interactionRoutes(provider, users));
  if (o.onRequest) {
    provider.use(async (ctx, next) => {
      o.onRequest(ctx.path, ctx.headers);
      await next();
    });
  }
  const server = await new Promise((resolve) => {
    const s = provider.listen(o.port, '127.0.0.1', () => resolve(s));
  });
  return {
    issuer,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
