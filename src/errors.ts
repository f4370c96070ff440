/**
 * Domain errors. Each carries a stable `code` and an HTTP status; the single
 * error middleware (`src/http/middleware/errorHandler.ts`) maps them to RFC 9457
 * problem+json. Services throw these; nothing else should pick HTTP statuses.
 */

/** One field-level problem, shaped like the official registry's huma `errors[]` items. */
export interface ErrorDetail {
  message: string;
  location?: string;
  value?: unknown;
}

/** Base class for every error the gateway raises on purpose. */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  readonly errors?: ErrorDetail[];
  /** Extra response headers (e.g. `WWW-Authenticate`, `Retry-After`). */
  readonly headers?: Record<string, string>;

  constructor(message: string, options?: { errors?: ErrorDetail[]; headers?: Record<string, string>; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options?.errors) this.errors = options.errors;
    if (options?.headers) this.headers = options.headers;
  }
}

/** 400: the request is malformed (bad timestamp, tampered cursor, contradictory parameters). */
export class InputError extends DomainError {
  readonly code: string = 'INPUT_ERROR';
  readonly status = 400;
}

/** 422: the request is well-formed but a value is out of range or fails validation. */
export class ValidationError extends DomainError {
  readonly code: string = 'VALIDATION_ERROR';
  readonly status = 422;
}

/** 401: no or invalid credentials. */
export class AuthenticationError extends DomainError {
  readonly code: string = 'AUTHENTICATION_ERROR';
  readonly status = 401;
}

/** 403: the caller is known but not allowed. */
export class ForbiddenError extends DomainError {
  readonly code: string = 'FORBIDDEN';
  readonly status = 403;
}

/** 404: the thing does not exist, or the caller may not see it (the two are indistinguishable). */
export class NotFoundError extends DomainError {
  readonly code: string = 'NOT_FOUND';
  readonly status = 404;
}

/** 405: the route exists but not for this method or this kind of registry. */
export class MethodNotAllowedError extends DomainError {
  readonly code: string = 'METHOD_NOT_ALLOWED';
  readonly status = 405;
}

/** 409: the write conflicts with the current state. */
export class ConflictError extends DomainError {
  readonly code: string = 'CONFLICT';
  readonly status = 409;
}

/** 413: the request body is too large. */
export class PayloadTooLargeError extends DomainError {
  readonly code: string = 'PAYLOAD_TOO_LARGE';
  readonly status = 413;
}

/** 415: the request body has the wrong content type. */
export class UnsupportedMediaTypeError extends DomainError {
  readonly code: string = 'UNSUPPORTED_MEDIA_TYPE';
  readonly status = 415;
}

/** 408: the request was not received within the server's timeouts. */
export class RequestTimeoutError extends DomainError {
  readonly code: string = 'REQUEST_TIMEOUT';
  readonly status = 408;
}

/** 417: the request carries an `Expect` header the gateway does not support. */
export class ExpectationFailedError extends DomainError {
  readonly code: string = 'EXPECTATION_FAILED';
  readonly status = 417;
}

/** 431: the request line and headers are larger than `server.maxHeaderBytes`. */
export class HeadersTooLargeError extends DomainError {
  readonly code: string = 'HEADERS_TOO_LARGE';
  readonly status = 431;
}

/**
 * Any other 4xx raised below the gateway's own code (body parser, router): the status is the one
 * the library chose.
 */
export class RequestError extends DomainError {
  readonly code: string = 'REQUEST_ERROR';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** 500: a bug. The detail names only the request id; the cause goes to the log. */
export class InternalError extends DomainError {
  readonly code: string = 'INTERNAL_ERROR';
  readonly status = 500;
}

/** 501: the feature is not configured on this gateway. */
export class NotImplementedError extends DomainError {
  readonly code: string = 'NOT_IMPLEMENTED';
  readonly status = 501;
}

/** 502: an upstream registry answered badly. */
export class UpstreamError extends DomainError {
  readonly code: string = 'UPSTREAM_ERROR';
  readonly status = 502;
}

/** 503: a dependency (Redis) is unavailable. The detail never names internals. */
export class ServiceUnavailableError extends DomainError {
  readonly code: string = 'SERVICE_UNAVAILABLE';
  readonly status = 503;
}

/** A configuration file failed validation; `problems` lists every issue by path. */
export class ConfigError extends Error {
  readonly code: string = 'CONFIG_ERROR';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`Invalid configuration in ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}
