import { Router, type Request, type Response } from 'express';
import type { AccessPolicy } from '../../access/AccessPolicy.js';
import type { CatalogService } from '../../catalog/CatalogService.js';
import type { GatewayConfig } from '../../config/schema.js';
import { parseBool, parseListQuery } from '../query.js';
import { parseServerPath } from '../serverPath.js';

/** Dependencies of the read routes. */
export interface ServerRoutesDeps {
  catalog: CatalogService;
  access: AccessPolicy;
  api: GatewayConfig['api'];
}

function sendJson(res: Response, body: Buffer): void {
  res.type('application/json').send(body);
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
    sendJson(res, await deps.catalog.listServers(view, scope, params));
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
      sendJson(res, await deps.catalog.listVersions(view, scope, parsed.name, includeDeleted));
      return;
    }
    res.locals.route = `${prefix}servers.version`;
    sendJson(res, await deps.catalog.getVersion(view, scope, parsed.name, parsed.version, includeDeleted));
  });

  return router;
}
