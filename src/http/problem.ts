import { STATUS_CODES } from 'node:http';
import type { Response } from 'express';
import type { DomainError, ErrorDetail } from '../errors.js';

/** The detail of every "no such route" 404. */
export const ENDPOINT_NOT_FOUND = 'Endpoint not found. See /docs for the API documentation.';

/**
 * RFC 9457 problem details body, in the official registry's (huma) shape plus the error's stable
 * `code` (clients key on it, not on `detail`).
 */
export interface Problem {
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: ErrorDetail[];
}

/** The problem body of a domain error. */
export function problemOf(error: DomainError): Problem {
  const body: Problem = { title: STATUS_CODES[error.status] ?? 'Error', status: error.status, detail: error.message, code: error.code };
  if (error.errors && error.errors.length > 0) body.errors = error.errors;
  return body;
}

/** Writes a domain error as an `application/problem+json` response, with its headers. */
export function sendProblem(res: Response, error: DomainError): void {
  if (error.headers) for (const [k, v] of Object.entries(error.headers)) res.setHeader(k, v);
  res.status(error.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problemOf(error)));
}

/** The media type of every error body. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';
