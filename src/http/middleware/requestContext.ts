import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../../observability/logger.js';
import type { HttpMetrics } from '../../observability/metrics.js';
import { requestContext } from '../../observability/requestContext.js';

const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A request's id: a well-formed incoming `X-Request-Id`, or a new UUID. */
export function requestIdOf(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && VALID_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** What one finished request is logged and counted as. */
export interface FinishedRequest {
  requestId: string;
  method: string;
  path: string;
  route: string;
  status: number;
  /** `process.hrtime.bigint()` when the request arrived. */
  started: bigint;
  subject?: string;
}

/**
 * Records a finished request: the duration histogram, and one log line (method, path, status,
 * duration, subject — never headers or tokens).
 */
export function requestObserver(logger: Logger, metrics?: HttpMetrics): (done: FinishedRequest) => void {
  return (done) => {
    const seconds = Number(process.hrtime.bigint() - done.started) / 1e9;
    metrics?.observe(done.method, done.route, done.status, seconds);
    const level = done.status >= 500 ? 'error' : 'http';
    // Most deployments log at info: skip building the line the logger would drop.
    if (!logger.isLevelEnabled(level)) return;
    logger.log(level, 'request', {
      requestId: done.requestId,
      method: done.method,
      path: done.path,
      route: done.route,
      status: done.status,
      ms: Math.round(seconds * 1e4) / 10,
      subject: done.subject,
    });
  };
}

/**
 * Assigns a request id (see {@link requestIdOf}), runs the rest of the request inside its async
 * context so every log line carries it, and records the request when it finishes.
 */
export function requestContextMiddleware(logger: Logger, metrics?: HttpMetrics) {
  const observe = requestObserver(logger, metrics);
  return (req: Request, res: Response, next: NextFunction): void => {
    req.id = requestIdOf(req.headers['x-request-id']);
    res.setHeader('X-Request-Id', req.id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      observe({
        requestId: req.id,
        method: req.method,
        path: req.path,
        route: res.locals.route ?? 'unmatched',
        status: res.statusCode,
        started,
        ...(req.principal?.subject ? { subject: req.principal.subject } : {}),
      });
    });
    requestContext.run({ requestId: req.id }, next);
  };
}
