import type { NextFunction, Request, Response } from 'express';
import type { AccessPolicy } from '../access/AccessPolicy.js';
import type { Authenticator } from '../auth/Authenticator.js';
import { ForbiddenError } from '../errors.js';
import type { Logger } from '../observability/logger.js';

/**
 * Lets only admins (an `access.admins` group) through, exactly like the admin API routes:
 * anonymous callers with auth on get the 401 challenge, others a 403; denials are audit-logged.
 * Runs after the principal middleware.
 */
export function adminOnly(deps: { access: AccessPolicy; authenticator: Authenticator; logger: Logger }, action: string) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (deps.access.viewFor(req.principal).admin) return next();
    deps.logger.warn('audit', { action, outcome: 'denied', subject: req.principal.subject ?? '(anonymous)' });
    if (req.principal.anonymous && deps.authenticator.enabled) throw deps.authenticator.missingCredentials('This page requires authentication: sign in to the console.');
    throw new ForbiddenError('This page requires membership in one of the groups listed in access.admins.');
  };
}
