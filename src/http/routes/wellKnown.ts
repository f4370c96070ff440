import { Router } from 'express';

/** Inputs of the RFC 9728 protected-resource metadata. */
export interface WellKnownDeps {
  /**
   * The gateway's public base URL: `server.publicUrl`, else the address it listens on. Never taken
   * from the request's Host header, which the client controls.
   */
  publicUrl: () => string;
  issuers: readonly string[];
  scopesSupported: readonly string[];
}

/**
 * `GET /.well-known/oauth-protected-resource` (RFC 9728): tells MCP clients which authorization
 * servers issue tokens for this gateway. Served only when auth is on.
 */
export function wellKnownRoutes(deps: WellKnownDeps): Router {
  const router = Router();
  router.get(['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/*rest'], (_req, res) => {
    res.locals.route = 'well-known.protected-resource';
    const resource = deps.publicUrl().replace(/\/+$/, '');
    res.json({
      resource,
      authorization_servers: deps.issuers,
      bearer_methods_supported: ['header'],
      scopes_supported: deps.scopesSupported,
      resource_name: 'MCP Registry Federation Gateway',
      resource_documentation: `${resource}/docs`,
    });
  });
  return router;
}
