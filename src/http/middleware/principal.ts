import type { NextFunction, Request, Response } from 'express';
import type { Authenticator } from '../../auth/Authenticator.js';
import { challengeAnonymous } from '../authGate.js';
import type { AccessViews } from '../ports.js';
import { requestContext } from '../../observability/requestContext.js';

/**
 * Resolves the caller's principal once per request (errors go to the error handler) and enforces
 * `auth.requiredScopes` (read for GET/HEAD, write otherwise). With auth on,
 * an anonymous caller that no `$anonymous` rule lets see anything gets a 401 challenge rather than
 * an empty catalogue.
 */
export function principalMiddleware(authenticator: Authenticator, access: AccessViews) {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    req.principal = await authenticator.authenticate(req.headers);
    authenticator.checkScopes(req.principal, req.method !== 'GET' && req.method !== 'HEAD');
    challengeAnonymous(authenticator, req.principal, 'Authentication required: send an OAuth bearer token (Authorization: Bearer <token>).', () => {
      const view = access.viewFor(req.principal);
      return !view.admin && view.registries.length === 0;
    });
    const ctx = requestContext.getStore();
    if (ctx && req.principal.subject) ctx.subject = req.principal.subject;
    next();
  };
}
