import { Router } from 'express';
import { z } from 'zod';
import type { AccessPolicy } from '../access/AccessPolicy.js';
import type { Authenticator } from '../auth/Authenticator.js';
import { guardStore } from '../catalog/storeUnavailable.js';
import { InputError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { adminOnly } from './adminGuard.js';
import { AUDIT_RETENTION, type AuditTrail } from './AuditTrail.js';

/** Dependencies of {@link activityRoutes}. */
export interface ActivityRoutesDeps {
  trail: AuditTrail;
  access: AccessPolicy;
  authenticator: Authenticator;
  logger: Logger;
}

const query = z.object({ limit: z.coerce.number().int().min(1).max(AUDIT_RETENTION).default(50) });

/**
 * `GET /v0.1/audit?limit=N` (admins; default 50, at most 1000): recent audit events, newest first,
 * as `{events:[{id, at, action, outcome, subject, ...}]}`. Read by the console's Activity page.
 */
export function activityRoutes(deps: ActivityRoutesDeps): Router {
  const router = Router();
  router.get(['/v0.1/audit', '/v0/audit'], adminOnly(deps, 'audit.list'), async (req, res) => {
    res.locals.route = 'audit.list';
    const parsed = query.safeParse(req.query);
    if (!parsed.success) throw new InputError(`limit must be an integer from 1 to ${AUDIT_RETENTION}.`);
    res.setHeader('Cache-Control', 'private, no-store');
    res.json({ events: await guardStore(() => deps.trail.recent(parsed.data.limit)) });
  });
  return router;
}
