import { Router, type Request, type Response } from 'express';
import type { Reply } from '../../catalog/CatalogService.js';
import type { GatewayConfig } from '../../config/schema.js';
import type { AccessViews, CatalogReads } from '../ports.js';
import { parseBool, parseListQuery } from '../query.js';
import { parseServerPath } from '../serverPath.js';

/** Dependencies of the read routes. */
export interface ServerRoutesDeps {
  catalog: CatalogReads;
  access: AccessViews;
  api: GatewayConfig['api'];
  /** Responses depend on the caller's token (auth on): private caching, varying by credentials. */
  perCaller: boolean;
}

/**
 * Writes a conditional read (DESIGN §2): the entity tag always, `304` with no body when the
 * caller's copy is current, and caching headers that keep one caller's copy from serving another.
 */
function sendReply(res: Response, reply: Reply, perCaller: boolean): void {
  res.setHeader('ETag', reply.etag);
  res.setHeader('Cache-Control', perCaller ? 'private, no-cache' : 'no-cache');
  if (perCaller) res.setHeader('Vary', 'Authorization, X-Authorization');
  if (reply.body === null) {
    res.status(304).end();
    return;
  }
  res.type('application/json').send(reply.body);
}

/**
 * Read routes of the official v0.1 API: list, versions, one version. Mounted at `/v0.1` and `/v0`
 * (aggregated) and at `/:registryName/v0.1` and `/:registryName/v0` (one registry).
 */
export function serverRoutes(deps: ServerRoutesDeps): Router {
  const router = Router({ mergeParams: true });
  const registryOf = (req: Request) => (req.params as { registryName?: string }).registryName;

  router.get('/servers', async (req, res) => {
    res.locals.route = registryOf(req) ? 'registry.servers.list' : 'servers.list';
    const view = deps.access.viewFor(req.principal);
    const scope = deps.catalog.scopeFor(view, registryOf(req));
    const params = parseListQuery(req, deps.api);
    sendReply(res, await deps.catalog.listServers(view, scope, params, req.get('if-none-match')), deps.perCaller);
  });

  router.get('/servers/*path', async (req, res, next) => {
    const parsed = parseServerPath((req.params as { path: string[] }).path);
    if (!parsed || parsed.kind === 'status' || parsed.kind === 'versionStatus') {
      next();
      return;
    }
    const view = deps.access.viewFor(req.principal);
    const scope = deps.catalog.scopeFor(view, registryOf(req));
    const includeDeleted = parseBool(req.query as Record<string, unknown>, 'include_deleted', false);
    const prefix = registryOf(req) ? 'registry.' : '';
    if (parsed.kind === 'versions') {
      res.locals.route = `${prefix}servers.versions`;
      sendReply(res, await deps.catalog.listVersions(view, scope, parsed.name, includeDeleted, req.get('if-none-match')), deps.perCaller);
      return;
    }
    res.locals.route = `${prefix}servers.version`;
    sendReply(res, await deps.catalog.getVersion(view, scope, parsed.name, parsed.version, includeDeleted, req.get('if-none-match')), deps.perCaller);
  });

  return router;
}
