import axios, { AxiosError, type AxiosInstance } from 'axios';
import type { UpstreamRegistryConfig } from '../config/schema.js';
import { UpstreamError } from '../errors.js';
import { GATEWAY_VERSION } from '../version.js';
import { documentItems } from './entries.js';
import { RateLimiter, sleep } from './RateLimiter.js';

/** One page of an upstream listing. */
export interface UpstreamPage {
  items: unknown[];
  nextCursor?: string;
  bytes: number;
}

/** Query of one page request. */
export interface PageQuery {
  cursor?: string;
  updatedSince?: string;
  limit: number;
}

/** The upstream refused `updated_since` (400/422): the caller should fall back to full syncs. */
export class UpdatedSinceRejected extends UpstreamError {
  override readonly code: string = 'UPSTREAM_UPDATED_SINCE_REJECTED';
  /** @param upstreamStatus the upstream's HTTP status (400 or 422). */
  constructor(readonly upstreamStatus: number) {
    super(`upstream rejected updated_since (HTTP ${upstreamStatus})`);
  }
}

/** Tunables of {@link UpstreamClient}; defaults suit production. */
export interface UpstreamClientOptions {
  /** Attempts per request, including the first. Default 4. */
  maxAttempts?: number;
  /** First backoff delay; doubles each retry, with full jitter. Default 500 ms. */
  baseDelayMs?: number;
  /** Longest `Retry-After` honoured before giving up on the run. Default 5 min. */
  maxRetryAfterMs?: number;
  /** Bearer token sent upstream (resolved from `auth.tokenEnv`). */
  token?: string;
}

function retryAfterMs(header: unknown, now = Date.now()): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The listing URL for a registry base URL, which may already end in `/v0.1` or `/v0`. */
export function listUrl(base: string): string {
  const trimmed = base.replace(/\/+$/, '');
  return /\/v0(\.1)?$/.test(trimmed) ? `${trimmed}/servers` : `${trimmed}/v0.1/servers`;
}

/**
 * HTTP client for one upstream MCP registry (official v0.1 API): per-upstream rate cap, timeout,
 * response-size cap, optional bearer token, a User-Agent naming the gateway, retries with
 * exponential backoff and jitter on network errors and 5xx, and `429`/`Retry-After` obeyed.
 * Redirects (at most 3) are followed only within the upstream's own origin; one to another origin
 * fails the run without a request being sent there.
 * Error messages name the upstream's status or failure, never the token.
 */
export class UpstreamClient {
  private readonly http: AxiosInstance;
  private readonly limiter: RateLimiter;
  private readonly url: string;
  /** Redirects are followed only within this origin, so the token and the sync never leave it. */
  private readonly origin: string;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxRetryAfterMs: number;

  constructor(
    private readonly config: UpstreamRegistryConfig,
    options: UpstreamClientOptions = {},
  ) {
    this.url = listUrl(config.url);
    this.origin = new URL(this.url).origin;
    this.limiter = new RateLimiter(config.sync.maxRequestsPerSecond);
    this.maxAttempts = options.maxAttempts ?? 4;
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 300_000;
    this.http = axios.create({
      timeout: config.sync.timeout,
      maxContentLength: config.sync.maxResponseBytes,
      maxRedirects: 3,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      headers: {
        Accept: 'application/json',
        'User-Agent': `mcp-registry-gateway/${GATEWAY_VERSION} (+registry federation)`,
        ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
      },
    });
  }

  /**
   * Fetches one page (`include_deleted=true`, so tombstones arrive).
   * @throws UpdatedSinceRejected when the upstream answers `updated_since` with 400/422;
   * UpstreamError after retries are exhausted, for a non-retryable status, or for a malformed body.
   */
  async fetchPage(query: PageQuery, signal?: AbortSignal): Promise<UpstreamPage> {
    const params: Record<string, string> = { limit: String(query.limit), include_deleted: 'true' };
    if (query.cursor) params.cursor = query.cursor;
    if (query.updatedSince) params.updated_since = query.updatedSince;

    for (let attempt = 1; ; attempt++) {
      await this.limiter.take(signal);
      let status: number;
      let body: string;
      let retryAfter: number | undefined;
      let offOrigin: string | undefined;
      const beforeRedirect = (options: Record<string, unknown>) => {
        const target = redirectOrigin(options);
        if (target !== this.origin) {
          offOrigin = target;
          throw new Error('cross-origin redirect refused');
        }
      };
      try {
        const res = await this.http.get<string>(this.url, { params, beforeRedirect, ...(signal ? { signal } : {}) });
        status = res.status;
        body = typeof res.data === 'string' ? res.data : String(res.data ?? '');
        retryAfter = retryAfterMs(res.headers['retry-after']);
      } catch (err) {
        if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
        if (offOrigin !== undefined) {
          throw new UpstreamError(`upstream redirected to another origin (${offOrigin}); only same-origin redirects are followed: set the registry url to its final address`);
        }
        const reason = describeNetworkError(err, this.config.sync.maxResponseBytes);
        if (reason.fatal || attempt >= this.maxAttempts) throw new UpstreamError(`${reason.message} (after ${attempt} attempt${attempt === 1 ? '' : 's'})`);
        await sleep(this.backoff(attempt), signal);
        continue;
      }

      if (status >= 200 && status < 300) return this.parse(body);
      // Only the first page tells whether updated_since itself is refused; later 4xx are plain errors.
      if ((status === 400 || status === 422) && query.updatedSince && !query.cursor) throw new UpdatedSinceRejected(status);
      if (status === 429 || status === 503) {
        const wait = retryAfter ?? this.backoff(attempt);
        if (wait > this.maxRetryAfterMs) throw new UpstreamError(`upstream rate-limited us (HTTP ${status}) and asked to wait ${Math.round(wait / 1000)} s; will retry on the next run`);
        if (attempt >= this.maxAttempts) throw new UpstreamError(`upstream kept answering HTTP ${status} (after ${attempt} attempts)`);
        this.limiter.deferUntil(Date.now() + wait);
        continue;
      }
      if (status >= 500) {
        if (attempt >= this.maxAttempts) throw new UpstreamError(`upstream answered HTTP ${status} (after ${attempt} attempts)`);
        await sleep(this.backoff(attempt), signal);
        continue;
      }
      throw new UpstreamError(`upstream answered HTTP ${status} for ${new URL(this.url).pathname}${status === 401 || status === 403 ? ' (check auth.tokenEnv)' : ''}`);
    }
  }

  private parse(body: string): UpstreamPage {
    let doc: unknown;
    try {
      doc = JSON.parse(body);
    } catch (err) {
      throw new UpstreamError(`upstream sent malformed JSON: ${(err as Error).message.slice(0, 120)}`);
    }
    const items = documentItems(doc);
    if (!items) throw new UpstreamError('upstream response is not a server list (expected {"servers":[...]})');
    const d = doc as { metadata?: { nextCursor?: unknown; next_cursor?: unknown }; nextCursor?: unknown };
    const next = d.metadata?.nextCursor ?? d.metadata?.next_cursor ?? d.nextCursor;
    const page: UpstreamPage = { items, bytes: Buffer.byteLength(body) };
    if (typeof next === 'string' && next !== '') page.nextCursor = next;
    return page;
  }

  private backoff(attempt: number): number {
    return Math.random() * this.baseDelayMs * 2 ** (attempt - 1);
  }
}

/** The origin a redirect leads to, from follow-redirects' request options. */
function redirectOrigin(options: Record<string, unknown>): string {
  const host = String(options.hostname ?? options.host ?? '');
  const port = options.port ? `:${String(options.port)}` : '';
  try {
    return new URL(`${String(options.protocol)}//${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}${port}`).origin;
  } catch {
    return `${String(options.protocol)}//${host}${port}`;
  }
}

function describeNetworkError(err: unknown, maxBytes: number): { message: string; fatal: boolean } {
  if (err instanceof AxiosError) {
    if (err.message.includes('maxContentLength')) return { message: `upstream response exceeds the ${maxBytes}-byte cap (sync.maxResponseBytes)`, fatal: true };
    if (err.code === 'ECONNABORTED' || err.code === 'ETIMEDOUT') return { message: 'upstream did not answer within sync.timeout', fatal: false };
    if (err.code === 'ECONNREFUSED') return { message: 'upstream refused the connection', fatal: false };
    if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return { message: 'upstream host name does not resolve', fatal: false };
    return { message: `upstream request failed (${err.code ?? 'network error'})`, fatal: false };
  }
  return { message: `upstream request failed (${(err as Error)?.message ?? 'unknown error'})`, fatal: false };
}
