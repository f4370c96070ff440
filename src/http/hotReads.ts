import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { Authenticator } from '../auth/Authenticator.js';
import type { Reply } from '../catalog/CatalogService.js';
import { REGISTRY_NAME_BODY } from '../config/registryName.js';
import type { Logger } from '../observability/logger.js';
import type { HttpMetrics } from '../observability/metrics.js';
import { requestContext } from '../observability/requestContext.js';
import { JSON_CONTENT_TYPE, readRouteOf, replyHeaders, type ReadAnswerer, type ReadRoute } from './catalogReads.js';
import { answerToError } from './middleware/errorHandler.js';
import { resolvePrincipal } from './middleware/principal.js';
import { requestIdOf, requestObserver } from './middleware/requestContext.js';
import type { AccessViews } from './ports.js';
import { PROBLEM_CONTENT_TYPE, problemOf } from './problem.js';

/** The canonical spelling of a read route's path: registry (optional), API version, the rest. */
const READ_PATH = new RegExp(`^/(?:(${REGISTRY_NAME_BODY})/)?v0(?:\\.1)?/servers(?:/([^?#]*))?$`);
const NUL = /\u0000|%00/i;

/** What the hot path needs; the same services the express routes use. */
export interface HotReadsDeps {
  answer: ReadAnswerer;
  authenticator: Authenticator;
  access: AccessViews;
  /** Responses depend on the caller's token (auth on). */
  perCaller: boolean;
  /** Headers every response carries (security headers, CORS), flat `[name, value, ...]`. */
  baseHeaders: readonly string[];
  /** A console session cookie may stand in for a token: such requests take express's path. */
  cookieSessions: boolean;
  logger: Logger;
  metrics?: HttpMetrics;
}

/**
 * The catalogue reads' hot path: answers `GET` of the canonical read routes straight from
 * `node:http`, without express's middleware chain and routers, through the same authentication,
 * visibility, catalogue, headers, error bodies, request ids, logs and metrics as the express
 * routes (`catalogReads.ts` is their one implementation). Everything else — HEAD, other spellings,
 * trailing slashes, NUL bytes, bad percent-encoding, status routes, console sessions — is left to
 * express, which answers it as before. Measured in BENCHMARKS.md (issue 12).
 * @returns a listener that answers and returns true, or returns false having touched nothing
 */
export function hotReads(deps: HotReadsDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  const observe = requestObserver(deps.logger, deps.metrics);

  const write = (res: ServerResponse, requestId: string, reply: Reply): number => {
    const headers = ['X-Request-Id', requestId, ...deps.baseHeaders, ...replyHeaders(reply, deps.perCaller)];
    if (reply.body === null) {
      res.writeHead(304, headers);
      res.end();
      return 304;
    }
    headers.push('Content-Type', JSON_CONTENT_TYPE, 'Content-Length', String(reply.body.length));
    res.writeHead(200, headers);
    res.end(reply.body);
    return 200;
  };

  const fail = (res: ServerResponse, requestId: string, path: string, err: unknown): number => {
    const error = answerToError(err, requestId, path, deps.logger);
    if (res.headersSent) {
      res.destroy();
      return error.status;
    }
    const body = Buffer.from(JSON.stringify(problemOf(error)));
    const headers = ['X-Request-Id', requestId, ...deps.baseHeaders];
    if (error.headers) for (const [k, v] of Object.entries(error.headers)) headers.push(k, v);
    headers.push('Content-Type', PROBLEM_CONTENT_TYPE, 'Content-Length', String(body.length));
    res.writeHead(error.status, headers);
    res.end(body);
    return error.status;
  };

  const serve = async (req: IncomingMessage, res: ServerResponse, path: string, route: ReadRoute, query: Record<string, unknown>): Promise<void> => {
    const started = process.hrtime.bigint();
    const requestId = requestIdOf(req.headers['x-request-id']);
    let label = 'unmatched';
    let subject: string | undefined;
    const status = await requestContext.run({ requestId }, async () => {
      try {
        const principal = await resolvePrincipal(deps.authenticator, deps.access, req.headers, 'GET');
        subject = principal.subject;
        label = route.route;
        return write(res, requestId, await deps.answer(route, principal, query, req.headers['if-none-match']));
      } catch (err) {
        return fail(res, requestId, path, err);
      }
    });
    observe({ requestId, method: 'GET', path, route: label, status, started, ...(subject ? { subject } : {}) });
  };

  return (req, res) => {
    if (req.method !== 'GET') return false;
    if (deps.cookieSessions && req.headers.cookie !== undefined) return false;
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const match = READ_PATH.exec(path);
    if (!match || NUL.test(url)) return false;
    let segments: string[] | undefined;
    if (match[2] !== undefined) {
      segments = match[2].split('/');
      if (segments.some((s) => s === '')) return false;
      try {
        segments = segments.map(decodeURIComponent);
      } catch {
        return false;
      }
    }
    const route = readRouteOf(match[1], segments);
    if (!route) return false;
    const query = q === -1 ? {} : (parseQuery(url.slice(q + 1)) as Record<string, unknown>);
    void serve(req, res, path, route, query);
    return true;
  };
}
