import { Router, type Request } from 'express';
import type { CallerView } from '../../access/AccessPolicy.js';
import type { Authenticator } from '../../auth/Authenticator.js';
import { ForbiddenError } from '../../errors.js';
import type { Logger } from '../../observability/logger.js';
import { challengeAnonymous } from '../authGate.js';
import type { AccessViews, RegistryAdmin } from '../ports.js';
import { parseBool } from '../query.js';

/** Dependencies of the admin registry routes. */
export interface RegistryRoutesDeps {
  registries: RegistryAdmin;
  access: AccessViews;
  authenticator: Authenticator;
  logger: Logger;
}

/**
 * Admin routes: `GET /registries`, `GET /registries/{name}`, `POST /registries/{name}/sync`.
 * Only callers in an `access.admins` group may use them (others get 403); every admin action and
 * every denied call is audit-logged with the caller's subject.
 */
export function registryRoutes(deps: RegistryRoutesDeps): Router {
  const router = Router();

  const adminView = (req: Request, action: string): CallerView => {
    const view = deps.access.viewFor(req.principal);
    if (!view.admin) {
      deps.logger.warn('audit', { action, outcome: 'denied', subject: req.principal.subject ?? '(anonymous)' });
      challengeAnonymous(deps.authenticator, req.principal, 'Registry administration requires authentication: send an OAuth bearer token.');
      throw new ForbiddenError('Registry administration requires membership in one of the groups listed in access.admins.');
    }
    return view;
  };

  router.get('/registries', async (req, res) => {
    res.locals.route = 'registries.list';
    const view = adminView(req, 'registries.list');
    res.json({ registries: await deps.registries.list(view) });
  });

  router.get('/registries/:registryName', async (req, res) => {
    res.locals.route = 'registries.get';
    const view = adminView(req, 'registries.get');
    res.json(await deps.registries.get(view, req.params.registryName));
  });

  router.post('/registries/:registryName/sync', async (req, res) => {
    res.locals.route = 'registries.sync';
    const view = adminView(req, 'registries.sync');
    const full = parseBool(req.query as Record<string, unknown>, 'full', false);
    const name = req.params.registryName;
    const summary = await deps.registries.requestSync(view, name, full);
    deps.logger.info('audit', { action: 'registries.sync', registry: name, full, outcome: 'accepted', subject: req.principal.subject ?? '(anonymous)' });
    res.status(202).json({ accepted: true, registry: name, full, syncStatus: summary.syncStatus });
  });

  return router;
}
