import type { NextFunction, Request, Response } from 'express';
import { REGISTRY_NAME_BODY } from '../../config/registryName.js';
import { DomainError, InputError, InternalError, NotFoundError, PayloadTooLargeError, RequestError } from '../../errors.js';
import type { Logger } from '../../observability/logger.js';
import { ENDPOINT_NOT_FOUND, sendProblem } from '../problem.js';

interface HttpishError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
}

/** Paths under the API's versioned prefixes, aggregated or per registry. */
const VERSIONED_PATH = new RegExp(`^/(?:${REGISTRY_NAME_BODY}/)?v0(?:\\.1)?(?:/|$)`);

/**
 * Turns what a library threw (body-parser, router, URI decoding) into the domain error it means;
 * anything else is a bug, a 500 whose detail names only the request id.
 */
function toDomainError(err: unknown, requestId: string): DomainError {
  if (err instanceof DomainError) return err;
  const e = err as HttpishError & Error;
  if (e instanceof URIError) return new InputError('The request path contains malformed percent-encoding.');
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (e.type === 'entity.too.large') return new PayloadTooLargeError('The request body is too large.');
    if (e.type === 'entity.parse.failed') return new InputError('The request body is not valid JSON.');
    return new RequestError(status, e.expose && e.message ? e.message : 'The request could not be processed.');
  }
  return new InternalError(`Internal server error. Quote request id ${requestId} when reporting this.`, { cause: err });
}

/**
 * The one place errors become HTTP: turns what a request threw into the domain error it answers
 * (see `toDomainError`), logging server-side failures (a 500's cause and stack stay in the log).
 */
export function answerToError(err: unknown, requestId: string, path: string, logger: Logger): DomainError {
  const error = toDomainError(err, requestId);
  if (error instanceof InternalError) {
    const e = err as Error | undefined;
    logger.error('unhandled error', { error: e?.message, stack: e?.stack, path });
  } else if (error.status >= 500) {
    logger.warn('request failed', { code: error.code, error: error.message, cause: (error.cause as Error | undefined)?.message });
  }
  return error;
}

/** Express's error handler: every error is written as problem+json carrying its stable `code` (see {@link answerToError}). */
export function errorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendProblem(res, answerToError(err, req.id, req.path, logger));
  };
}

/** Final handler: no route matched. */
export function notFoundHandler(req: Request, res: Response): void {
  res.locals.route = 'unmatched';
  const hint = VERSIONED_PATH.test(req.path) ? '' : " Did you mean '/v0.1/servers'?";
  sendProblem(res, new NotFoundError(`${ENDPOINT_NOT_FOUND}${hint}`));
}
