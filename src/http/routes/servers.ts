import { Router, type Request, type Response } from 'express';
import type { Reply } from '../../catalog/CatalogService.js';
import { catalogReads, JSON_CONTENT_TYPE, readRouteOf, replyHeaders, type ReadRoutesDeps } from '../catalogReads.js';

/** Writes a read's reply: its headers, then `304` with no body or the JSON body. */
function sendReply(res: Response, reply: Reply, perCaller: boolean): void {
  const headers = replyHeaders(reply, perCaller);
  for (let i = 0; i < headers.length; i += 2) res.setHeader(headers[i] as string, headers[i + 1] as string);
  if (reply.body === null) {
    res.status(304).end();
    return;
  }
  res.type(JSON_CONTENT_TYPE).send(reply.body);
}

/**
 * Read routes of the official v0.1 API: list, versions, one version. Mounted at `/v0.1` and `/v0`
 * (aggregated) and at `/:registryName/v0.1` and `/:registryName/v0` (one registry). The hot path
 * (`hotReads.ts`) answers the canonical spellings of the same routes before express; this router
 * answers every other spelling express accepts (HEAD, other letter case, console sessions).
 */
export function serverRoutes(deps: ReadRoutesDeps): Router {
  const router = Router({ mergeParams: true });
  const answer = catalogReads(deps);
  const registryOf = (req: Request) => (req.params as { registryName?: string }).registryName;

  const serve = async (req: Request, res: Response, segments: string[] | undefined, next: () => void) => {
    const route = readRouteOf(registryOf(req), segments);
    if (!route) {
      next();
      return;
    }
    res.locals.route = route.route;
    sendReply(res, await answer(route, req.principal, req.query as Record<string, unknown>, req.get('if-none-match')), deps.perCaller);
  };
  router.get('/servers', (req, res, next) => serve(req, res, undefined, next));
  router.get('/servers/*path', (req, res, next) => serve(req, res, (req.params as { path: string[] }).path, next));
  return router;
}
