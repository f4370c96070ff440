import type { NextFunction, Request, Response } from 'express';
import { guardStore } from '../catalog/storeUnavailable.js';
import type { Logger } from '../observability/logger.js';
import type { ConsoleSignIn } from './ConsoleOidc.js';
import type { SessionCookie } from './sessionCookie.js';
import type { SessionStore, UiSession } from './SessionStore.js';

/** The console session of the current request, set by {@link sessionAuth} in `res.locals.uiSession`. */
export interface ActiveSession {
  id: string;
  session: UiSession;
}

/** Refresh the access token this long before it expires. */
const REFRESH_MARGIN_MS = 30_000;

/** Dependencies of {@link sessionAuth}. */
export interface SessionAuthDeps {
  sessions: SessionStore;
  cookie: () => SessionCookie;
  signIn: ConsoleSignIn;
  logger: Logger;
}

/**
 * Backend-for-frontend: turns a console session cookie into the session's bearer token, so every
 * API route (and its one access evaluator) sees the console user exactly as it sees an API client.
 * A request that already carries a bearer token keeps it. An access token near expiry is refreshed
 * with the refresh token; without one, or when refresh fails, the session ends and the request
 * continues as anonymous. Tokens never leave the server. Redis unreachable: 503.
 */
export function sessionAuth(deps: SessionAuthDeps) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (req.headers.authorization || req.headers['x-authorization']) return next();
    const id = deps.cookie().read(req.headers.cookie);
    if (!id) return next();
    const session = await guardStore(async () => {
      const found = await deps.sessions.get(id);
      return found && found.accessExpiresAt - REFRESH_MARGIN_MS < Date.now() ? refreshed(deps, id, found) : found;
    });
    if (!session) {
      res.append('Set-Cookie', deps.cookie().clear());
      return next();
    }
    req.headers.authorization = `Bearer ${session.accessToken}`;
    res.locals.uiSession = { id, session } satisfies ActiveSession;
    next();
  };
}

async function refreshed(deps: SessionAuthDeps, id: string, session: UiSession): Promise<UiSession | undefined> {
  if (session.refreshToken) {
    try {
      const next: UiSession = { ...session, ...(await deps.signIn.refresh(session.refreshToken)) };
      await deps.sessions.update(id, next);
      return next;
    } catch (err) {
      deps.logger.info('console session ended: token refresh failed', { subject: session.subject, error: (err as Error).message });
    }
  }
  await deps.sessions.destroy(id);
  return undefined;
}
