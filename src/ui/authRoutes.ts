import { Router, type Request, type Response } from 'express';
import { randomNonce, randomPKCECodeVerifier, randomState } from 'openid-client';
import { guardStore } from '../catalog/storeUnavailable.js';
import { NotFoundError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { ConsoleSignIn } from './ConsoleOidc.js';
import type { ActiveSession } from './sessionAuth.js';
import type { SessionCookie } from './sessionCookie.js';
import { randomId, type SessionStore } from './SessionStore.js';

/** Dependencies of {@link authRoutes}. */
export interface AuthRoutesDeps {
  sessions: SessionStore;
  /** Absent when `auth.oidc.ui` is not configured: the sign-in routes then answer 404. */
  signIn?: ConsoleSignIn;
  cookie: () => SessionCookie;
  /** The gateway's public base URL, without a trailing slash. */
  publicUrl: () => string;
  logger: Logger;
}

/** Where to land in the console after sign-in: a `#/...` route of the console, nothing else. */
function safeReturnTo(value: unknown): string {
  return typeof value === 'string' && /^#\/[\w\-./%~?=&+]*$/.test(value) && value.length <= 512 ? value : '#/';
}

/**
 * Console sign-in (backend-for-frontend, authorization code + PKCE):
 * - `GET /ui/auth/login?returnTo=#/...` starts the flow (state, nonce and PKCE verifier kept in
 *   Redis for 10 minutes) and redirects to the issuer;
 * - `GET /ui/auth/callback` redeems the code, stores the tokens in a new Redis session, sets the
 *   HttpOnly session cookie and returns to the console;
 * - `POST /ui/auth/logout` (CSRF-checked like every write) ends the session and answers
 *   `{redirectTo}`: the issuer's end-session URL when it has one, else the console.
 * Failures return to the console with `?signin=denied|expired|failed`, never with details.
 */
export function authRoutes(deps: AuthRoutesDeps): Router {
  const router = Router();
  const consoleUrl = () => `${deps.publicUrl()}/ui/`;
  const callbackUrl = () => `${deps.publicUrl()}/ui/auth/callback`;
  const requireSignIn = (): ConsoleSignIn => {
    if (!deps.signIn) throw new NotFoundError('Console sign-in is not configured (auth.mode oidc with auth.oidc.ui).');
    return deps.signIn;
  };
  const noStore = (res: Response) => res.setHeader('Cache-Control', 'no-store');

  router.get('/ui/auth/login', async (req, res) => {
    res.locals.route = 'ui.login';
    const signIn = requireSignIn();
    const state = randomState();
    const nonce = randomNonce();
    const codeVerifier = randomPKCECodeVerifier();
    await guardStore(() => deps.sessions.savePending(state, { codeVerifier, nonce, returnTo: safeReturnTo(req.query.returnTo) }));
    const target = await signIn.authorizationUrl({ redirectUri: callbackUrl(), state, nonce, codeVerifier });
    noStore(res);
    res.redirect(302, target.href);
  });

  router.get('/ui/auth/callback', async (req: Request, res: Response) => {
    res.locals.route = 'ui.callback';
    const signIn = requireSignIn();
    noStore(res);
    const back = (outcome: string) => res.redirect(303, `${consoleUrl()}?signin=${outcome}`);
    const state = typeof req.query.state === 'string' ? req.query.state : '';
    const pending = state ? await guardStore(() => deps.sessions.takePending(state)) : undefined;
    if (!pending) return back('expired');
    if (req.query.error !== undefined) return back('denied');
    const q = req.originalUrl.indexOf('?');
    try {
      const tokens = await signIn.exchange(new URL(callbackUrl() + req.originalUrl.slice(q)), { state, nonce: pending.nonce, codeVerifier: pending.codeVerifier });
      const id = await guardStore(() => deps.sessions.create({ ...tokens, csrfToken: randomId(), createdAt: Date.now() }));
      deps.logger.info('audit', { action: 'ui.signin', outcome: 'ok', subject: tokens.subject });
      res.append('Set-Cookie', deps.cookie().set(id));
      res.redirect(303, consoleUrl() + pending.returnTo);
    } catch (err) {
      deps.logger.warn('console sign-in failed', { error: (err as Error).message });
      back('failed');
    }
  });

  router.post('/ui/auth/logout', async (_req, res) => {
    res.locals.route = 'ui.logout';
    noStore(res);
    const active = res.locals.uiSession as ActiveSession | undefined;
    let redirectTo = consoleUrl();
    if (active) {
      await guardStore(() => deps.sessions.destroy(active.id));
      deps.logger.info('audit', { action: 'ui.signout', outcome: 'ok', subject: active.session.subject });
      const end = await deps.signIn?.endSessionUrl({ postLogoutRedirectUri: consoleUrl(), ...(active.session.idToken ? { idTokenHint: active.session.idToken } : {}) }).catch(() => undefined);
      if (end) redirectTo = end.href;
    }
    res.append('Set-Cookie', deps.cookie().clear());
    res.json({ redirectTo });
  });

  return router;
}
