import type { NextFunction, Request, Response } from 'express';
import type { Authenticator } from '../../auth/Authenticator.js';
import { requestContext } from '../../observability/requestContext.js';

/** Resolves the caller's principal once per request (errors go to the error handler). */
export function principalMiddleware(authenticator: Authenticator) {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    req.principal = await authenticator.authenticate(req.headers);
    const ctx = requestContext.getStore();
    if (ctx && req.principal.subject) ctx.subject = req.principal.subject;
    next();
  };
}
