import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { ForbiddenError } from '../errors.js';
import type { ActiveSession } from './sessionAuth.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The header the console sends its session's CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * CSRF protection for every state-changing request (any method but GET/HEAD/OPTIONS) on every
 * route. A request authenticated by a console session cookie must echo the session's token in
 * `X-CSRF-Token` (synchronizer token; the SameSite cookie is a second layer). A request with no
 * credentials (auth.mode none, where the anonymous caller may be an admin) must not come from
 * another site (`Sec-Fetch-Site`, `Origin`). Requests with an explicit bearer token cannot be forged
 * by another site and pass.
 *
 * @param publicOrigin the gateway's public origin (also accepted: the request's own Host).
 * @throws ForbiddenError (403 problem+json) when the check fails.
 */
export function csrfProtection(publicOrigin: () => string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (SAFE_METHODS.has(req.method)) return next();
    const ui = res.locals.uiSession as ActiveSession | undefined;
    if (ui) {
      const sent = req.get(CSRF_HEADER);
      if (!sent || !same(sent, ui.session.csrfToken)) {
        throw new ForbiddenError('Missing or invalid CSRF token: console requests that change state must send the X-CSRF-Token header of their session.');
      }
      return next();
    }
    if (req.headers.authorization || req.headers['x-authorization']) return next();
    const site = req.get('sec-fetch-site');
    const origin = req.get('origin');
    const foreignOrigin = origin !== undefined && origin !== publicOrigin() && !sameHost(origin, req.get('host'));
    if (site === 'cross-site' || site === 'same-site' || foreignOrigin) {
      throw new ForbiddenError('Cross-site request refused: state-changing requests without a bearer token must come from this gateway\'s own pages.');
    }
    next();
  };
}

function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}
