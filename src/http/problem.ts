import { STATUS_CODES } from 'node:http';
import type { Response } from 'express';
import type { ErrorDetail } from '../errors.js';

/** RFC 9457 problem details body, in the official registry's (huma) shape. */
export interface Problem {
  title: string;
  status: number;
  detail: string;
  errors?: ErrorDetail[];
}

/** Writes an `application/problem+json` response. */
export function sendProblem(res: Response, status: number, detail: string, errors?: ErrorDetail[], headers?: Record<string, string>): void {
  const body: Problem = { title: STATUS_CODES[status] ?? 'Error', status, detail };
  if (errors && errors.length > 0) body.errors = errors;
  if (headers) for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.status(status).type('application/problem+json').send(JSON.stringify(body));
}
