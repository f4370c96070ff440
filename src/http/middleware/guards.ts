import type { NextFunction, Request, Response } from 'express';
import { InputError, NotFoundError } from '../../errors.js';
import { ENDPOINT_NOT_FOUND, sendProblem } from '../problem.js';

/**
 * Path hygiene shared with the official registry: a NUL byte (raw or `%00`) in the path or query
 * is a 400, and a trailing slash redirects (308) to the path without it, unless that path would
 * name another host (`//evil.example/`: an open redirect), which is a 404.
 */
export function pathGuards(req: Request, res: Response, next: NextFunction): void {
  const url = req.originalUrl;
  if (url.includes('\u0000') || /%00/i.test(url)) {
    sendProblem(res, new InputError('The request URL contains a NUL byte.'));
    return;
  }
  const q = url.indexOf('?');
  const pathname = q === -1 ? url : url.slice(0, q);
  if (pathname.length > 1 && pathname.endsWith('/')) {
    const target = pathname.replace(/\/+$/, '') || '/';
    // `//host` and `/\host` name another host (as would an absolute-form target): never redirect there.
    if (!target.startsWith('/') || /^\/[/\\]/.test(target)) {
      sendProblem(res, new NotFoundError(ENDPOINT_NOT_FOUND));
      return;
    }
    res.redirect(308, target + (q === -1 ? '' : url.slice(q)));
    return;
  }
  next();
}

/** The CORS headers of every response other than a preflight, flat `[name, value, ...]`. */
export const CORS_HEADERS: readonly string[] = [
  'Access-Control-Allow-Origin',
  '*',
  'Access-Control-Expose-Headers',
  'Retry-After, WWW-Authenticate, X-Request-Id, Location, ETag',
];

/**
 * CORS for browser clients (GitHub Copilot and web UIs need it on the read routes). Bearer tokens
 * travel in headers, never cookies, so the wildcard origin is safe.
 */
export function cors(req: Request, res: Response, next: NextFunction): void {
  for (let i = 0; i < CORS_HEADERS.length; i += 2) res.setHeader(CORS_HEADERS[i] as string, CORS_HEADERS[i + 1] as string);
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', req.get('access-control-request-headers') ?? 'Authorization, X-Authorization, Content-Type, If-None-Match');
    res.setHeader('Access-Control-Max-Age', '600');
    res.setHeader('Vary', 'Access-Control-Request-Headers');
    res.status(204).end();
    return;
  }
  next();
}
