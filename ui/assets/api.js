// The console reads and writes only through the gateway's own API (same routes, same access
// evaluator as any API client). The session cookie is HttpOnly: this code never sees a token.

let csrfToken = null;

/** Remembers the session's CSRF token (sent on every state-changing request). */
export function setCsrfToken(token) {
  csrfToken = token;
}

/** An API error carrying the RFC 9457 problem. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || `HTTP ${status}`);
    this.status = status;
    this.problem = problem ?? { title: 'Error', status, detail: `HTTP ${status}` };
  }
}

/** Encodes a server name for a path segment (`io.github.acme%2Fweather`). */
export const enc = (name) => encodeURIComponent(name);

/** Base of the v0.1 routes: aggregated, or one registry's view. */
export const base = (registry) => (registry ? `/${enc(registry)}/v0.1` : '/v0.1');

/**
 * Calls the API. `body` is sent as JSON. Resolves to the parsed JSON (or null); rejects with an
 * ApiError for any non-2xx answer.
 */
export async function api(path, { method = 'GET', body, query } = {}) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
  const headers = { Accept: 'application/json, application/problem+json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body), credentials: 'same-origin', cache: 'no-store' });
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}
