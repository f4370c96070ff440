import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../../observability/logger.js';
import type { HttpMetrics } from '../../observability/metrics.js';
import { requestContext } from '../../observability/requestContext.js';

const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Assigns a request id (honouring a well-formed incoming `X-Request-Id`), runs the rest of the
 * request inside its async context so every log line carries it, and logs one line per request
 * (method, path, status, duration, subject — never headers or tokens).
 */
export function requestContextMiddleware(logger: Logger, metrics?: HttpMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.get('x-request-id');
    req.id = incoming && VALID_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = res.locals.route ?? 'unmatched';
      metrics?.observe(req.method, route, res.statusCode, seconds);
      const level = res.statusCode >= 500 ? 'error' : 'http';
      // Most deployments log at info: skip building the line the logger would drop.
      if (!logger.isLevelEnabled(level)) return;
      logger.log(level, 'request', {
        requestId: req.id,
        method: req.method,
        path: req.path,
        route,
        status: res.statusCode,
        ms: Math.round(seconds * 1e4) / 10,
        subject: req.principal?.subject,
      });
    });
    requestContext.run({ requestId: req.id }, next);
  };
}
