import type { IncomingHttpHeaders } from 'node:http';

/** Tokens longer than this are rejected before any parsing. */
export const MAX_TOKEN_LENGTH = 8192;

/** Outcome of reading the credentials of a request. */
export type BearerResult = { kind: 'none' } | { kind: 'token'; token: string } | { kind: 'malformed'; reason: string };

/**
 * Extracts a bearer token from `Authorization: Bearer ...` (or, when allowed,
 * `X-Authorization: Bearer ...`). Any other scheme, or an empty/oversized token, is malformed.
 */
export function readBearer(headers: IncomingHttpHeaders, acceptX: boolean): BearerResult {
  const raw = headers.authorization ?? (acceptX ? (headers['x-authorization'] as string | undefined) : undefined);
  if (raw === undefined || raw === '') return { kind: 'none' };
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(raw);
  if (!match) return { kind: 'malformed', reason: 'the Authorization header must be "Bearer <token>"' };
  const token = match[1] as string;
  if (token.length > MAX_TOKEN_LENGTH) return { kind: 'malformed', reason: 'the token is too large' };
  return { kind: 'token', token };
}

/** True when the token looks like a compact JWS (three base64url parts). */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}
