import type { IncomingHttpHeaders } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Principal } from '../../access/principal.js';
import type { Authenticator } from '../../auth/Authenticator.js';
import { challengeAnonymous } from '../authGate.js';
import type { AccessViews } from '../ports.js';
import { requestContext } from '../../observability/requestContext.js';

/**
 * Resolves a request's caller and enforces `auth.requiredScopes` (read for GET/HEAD, write
 * otherwise). With auth on, an anonymous caller that no `$anonymous` rule lets see anything gets a
 * 401 challenge rather than an empty catalogue. Names the subject in the request's log context.
 * @throws the authenticator's 401/403 errors.
 */
export async function resolvePrincipal(authenticator: Authenticator, access: AccessViews, headers: IncomingHttpHeaders, method: string): Promise<Principal> {
  const principal = await authenticator.authenticate(headers);
  authenticator.checkScopes(principal, method !== 'GET' && method !== 'HEAD');
  challengeAnonymous(authenticator, principal, 'Authentication required: send an OAuth bearer token (Authorization: Bearer <token>).', () => {
    const view = access.viewFor(principal);
    return !view.admin && view.registries.length === 0;
  });
  const ctx = requestContext.getStore();
  if (ctx && principal.subject) ctx.subject = principal.subject;
  return principal;
}

/** Resolves the caller's principal once per request (see {@link resolvePrincipal}); errors go to the error handler. */
export function principalMiddleware(authenticator: Authenticator, access: AccessViews) {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    req.principal = await resolvePrincipal(authenticator, access, req.headers, req.method);
    next();
  };
}
