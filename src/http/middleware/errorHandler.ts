import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '../../errors.js';
import type { Logger } from '../../observability/logger.js';
import { sendProblem } from '../problem.js';

interface HttpishError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
}

/**
 * The one place errors become HTTP: domain errors map to their status and detail; body-parser and
 * URI decoding errors become 4xx; anything else is a 500 whose body names only the request id.
 */
export function errorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof DomainError) {
      if (err.status >= 500) logger.warn('request failed', { code: err.code, error: err.message, cause: (err.cause as Error | undefined)?.message });
      sendProblem(res, err.status, err.message, err.errors, err.headers);
      return;
    }
    const e = err as HttpishError & Error;
    const status = e.status ?? e.statusCode;
    if (e instanceof URIError) {
      sendProblem(res, 400, 'The request path contains malformed percent-encoding.');
      return;
    }
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const detail =
        e.type === 'entity.too.large'
          ? 'The request body is too large.'
          : e.type === 'entity.parse.failed'
            ? 'The request body is not valid JSON.'
            : e.expose && e.message
              ? e.message
              : 'The request could not be processed.';
      sendProblem(res, status, detail);
      return;
    }
    logger.error('unhandled error', { error: e?.message, stack: e?.stack, path: req.path });
    sendProblem(res, 500, `Internal server error. Quote request id ${req.id} when reporting this.`);
  };
}

/** Final handler: no route matched. */
export function notFoundHandler(req: Request, res: Response): void {
  res.locals.route = 'unmatched';
  const versioned = /^\/(?:[a-z0-9][a-z0-9-]{0,62}\/)?v0(?:\.1)?(?:\/|$)/.test(req.path);
  const hint = versioned ? '' : " Did you mean '/v0.1/servers'?";
  sendProblem(res, 404, `Endpoint not found. See /docs for the API documentation.${hint}`);
}
