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
  readonly code = 'INPUT_ERROR';
  readonly status = 400;
}

/** 422: the request is well-formed but a value is out of range or fails validation. */
export class ValidationError extends DomainError {
  readonly code = 'VALIDATION_ERROR';
  readonly status = 422;
}

/** 401: no or invalid credentials. */
export class AuthenticationError extends DomainError {
  readonly code = 'AUTHENTICATION_ERROR';
  readonly status = 401;
}

/** 403: the caller is known but not allowed. */
export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
  readonly status = 403;
}

/** 404: the thing does not exist, or the caller may not see it (the two are indistinguishable). */
export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  readonly status = 404;
}

/** 405: the route exists but not for this method or this kind of registry. */
export class MethodNotAllowedError extends DomainError {
  readonly code = 'METHOD_NOT_ALLOWED';
  readonly status = 405;
}

/** 409: the write conflicts with the current state. */
export class ConflictError extends DomainError {
  readonly code = 'CONFLICT';
  readonly status = 409;
}

/** 413: the request body is too large. */
export class PayloadTooLargeError extends DomainError {
  readonly code = 'PAYLOAD_TOO_LARGE';
  readonly status = 413;
}

/** 415: the request body has the wrong content type. */
export class UnsupportedMediaTypeError extends DomainError {
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
  readonly status = 415;
}

/** 501: the feature is not configured on this gateway. */
export class NotImplementedError extends DomainError {
  readonly code = 'NOT_IMPLEMENTED';
  readonly status = 501;
}

/** 502: an upstream registry answered badly. */
export class UpstreamError extends DomainError {
  readonly code = 'UPSTREAM_ERROR';
  readonly status = 502;
}

/** 503: a dependency (Redis) is unavailable. The detail never names internals. */
export class ServiceUnavailableError extends DomainError {
  readonly code = 'SERVICE_UNAVAILABLE';
  readonly status = 503;
}

/** A configuration file failed validation; `problems` lists every issue by path. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_ERROR';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`Invalid configuration in ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}
