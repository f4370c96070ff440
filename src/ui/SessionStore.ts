import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ServiceUnavailableError } from '../errors.js';

/** A signed-in console user, held server-side only (backend-for-frontend). */
export interface UiSession {
  subject: string;
  /** Display name from the ID token, when the IdP sends one. */
  name?: string;
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  /** Epoch ms when the access token expires. */
  accessExpiresAt: number;
  /** Synchronizer token the console must echo in `X-CSRF-Token` on state-changing requests. */
  csrfToken: string;
  /** Epoch ms of sign-in; the session ends `lifetime` after it. */
  createdAt: number;
}

/** What the callback needs from the sign-in request that started the flow. */
export interface PendingLogin {
  codeVerifier: string;
  nonce: string;
  /** Console location (a `#/...` fragment) to return to after sign-in. */
  returnTo: string;
}

/** Session limits (milliseconds). */
export interface SessionLimits {
  lifetimeMs: number;
  idleMs: number;
}

/** A pending sign-in expires after this long (the user has that long at the IdP's login page). */
const PENDING_TTL_SECONDS = 600;

/**
 * Sign-ins that may start per minute, gateway-wide. Starting one is unauthenticated and writes to
 * Redis, so this bounds what a flood can store (at most 10 minutes × 600 pending entries).
 */
export const SIGN_INS_PER_MINUTE = 600;

const hash = (id: string) => createHash('sha256').update(id).digest('base64url');

/** A fresh unguessable identifier (256 bits, base64url). */
export function randomId(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Console sessions and pending sign-ins in Redis, under the gateway's `{prefix}` hash tag. Keys are
 * the SHA-256 of the cookie value, so a Redis dump does not yield usable cookies. Each session
 * expires `idleMs` after its last use and never later than `lifetimeMs` after sign-in.
 */
export class SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly keyBase: string,
    private readonly limits: SessionLimits,
  ) {}

  private sessionKey = (id: string) => `${this.keyBase}ui:session:${hash(id)}`;
  private pendingKey = (state: string) => `${this.keyBase}ui:login:${hash(state)}`;

  private ttlMs(session: UiSession, now: number): number {
    return Math.min(this.limits.idleMs, session.createdAt + this.limits.lifetimeMs - now);
  }

  /** Stores a new session and returns its id (the cookie value). */
  async create(session: UiSession, now = Date.now()): Promise<string> {
    const id = randomId();
    await this.redis.set(this.sessionKey(id), JSON.stringify(session), 'PX', Math.max(1, this.ttlMs(session, now)));
    return id;
  }

  /** The live session for a cookie value (its idle timer restarts), or undefined. */
  async get(id: string, now = Date.now()): Promise<UiSession | undefined> {
    if (id.length > 128) return undefined;
    const raw = await this.redis.get(this.sessionKey(id));
    if (!raw) return undefined;
    const session = JSON.parse(raw) as UiSession;
    const ttl = this.ttlMs(session, now);
    if (ttl <= 0) {
      await this.destroy(id);
      return undefined;
    }
    await this.redis.pexpire(this.sessionKey(id), ttl);
    return session;
  }

  /** Replaces a session's data (after a token refresh), keeping its expiry rules. */
  async update(id: string, session: UiSession, now = Date.now()): Promise<void> {
    const ttl = this.ttlMs(session, now);
    if (ttl <= 0) await this.destroy(id);
    else await this.redis.set(this.sessionKey(id), JSON.stringify(session), 'PX', ttl, 'XX');
  }

  /** Ends a session. */
  async destroy(id: string): Promise<void> {
    await this.redis.del(this.sessionKey(id));
  }

  /**
   * Remembers a started sign-in under its `state`.
   * @throws ServiceUnavailableError (503, Retry-After) past {@link SIGN_INS_PER_MINUTE}.
   */
  async savePending(state: string, pending: PendingLogin, now = Date.now()): Promise<void> {
    const window = `${this.keyBase}ui:login-rate:${Math.floor(now / 60_000)}`;
    const replies = await this.redis.multi().incr(window).expire(window, 120).exec();
    if (Number(replies?.[0]?.[1] ?? 0) > SIGN_INS_PER_MINUTE) {
      throw new ServiceUnavailableError('Too many sign-ins are starting right now. Try again in a minute.', { headers: { 'Retry-After': '60' } });
    }
    await this.redis.set(this.pendingKey(state), JSON.stringify(pending), 'EX', PENDING_TTL_SECONDS);
  }

  /** Takes (reads and deletes, so it cannot be replayed) the sign-in started with `state`. */
  async takePending(state: string): Promise<PendingLogin | undefined> {
    if (state.length > 128) return undefined;
    const key = this.pendingKey(state);
    const replies = await this.redis.multi().get(key).del(key).exec();
    const raw = replies?.[0]?.[1] as string | null | undefined;
    return raw ? (JSON.parse(raw) as PendingLogin) : undefined;
  }
}
