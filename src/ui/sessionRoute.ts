import { Router } from 'express';
import type { AccessPolicy } from '../access/AccessPolicy.js';
import { anonymousPrincipal, type Principal } from '../access/principal.js';
import type { Authenticator } from '../auth/Authenticator.js';
import { guardStore } from '../catalog/storeUnavailable.js';
import type { GatewayConfig } from '../config/schema.js';
import { AuthenticationError } from '../errors.js';
import type { ActiveSession } from './sessionAuth.js';
import type { SessionStore } from './SessionStore.js';

/** Dependencies of {@link sessionRoute}. */
export interface SessionRouteDeps {
  config: GatewayConfig;
  authenticator: Authenticator;
  access: AccessPolicy;
  sessions: SessionStore;
  signInAvailable: boolean;
}

/** What the console shows and offers for this caller (`GET /ui/session`). No tokens, ever. */
export interface ConsoleSessionInfo {
  authMode: 'none' | 'oidc';
  signInAvailable: boolean;
  signedIn: boolean;
  user: { subject: string; name?: string } | null;
  admin: boolean;
  /** Registries this caller may see, in priority order (from the same evaluator as the API). */
  registries: Array<{ name: string; type: string }>;
  /** Managed registries this caller may publish to. */
  publishTo: string[];
  /** Echo in `X-CSRF-Token` on state-changing requests (null without a session). */
  csrfToken: string | null;
}

/**
 * `GET /ui/session`: the caller as the API sees it (same authenticator, same CallerView), so the
 * console only offers what the API would allow. A session whose token the API no longer accepts is
 * ended here.
 */
export function sessionRoute(deps: SessionRouteDeps): Router {
  const router = Router();
  router.get('/ui/session', async (req, res) => {
    res.locals.route = 'ui.session';
    res.setHeader('Cache-Control', 'no-store');
    let active = res.locals.uiSession as ActiveSession | undefined;
    let principal: Principal;
    try {
      principal = await deps.authenticator.authenticate(req.headers);
    } catch (err) {
      if (!(err instanceof AuthenticationError) || !active) throw err;
      await guardStore(() => deps.sessions.destroy((active as ActiveSession).id));
      active = undefined;
      principal = anonymousPrincipal();
    }
    const view = deps.access.viewFor(principal);
    const authEnabled = deps.authenticator.enabled;
    const visible = deps.config.registries.map((r, i) => ({ r, i })).filter(({ i }) => view.registries.includes(i));
    const mayWrite = authEnabled ? !principal.anonymous : deps.config.publish.allowAnonymous;
    const info: ConsoleSessionInfo = {
      authMode: deps.config.auth.mode,
      signInAvailable: deps.signInAvailable,
      signedIn: active !== undefined,
      user: active ? { subject: active.session.subject, ...(active.session.name ? { name: active.session.name } : {}) } : null,
      admin: view.admin,
      registries: visible.map(({ r }) => ({ name: r.name, type: r.type })),
      publishTo: mayWrite ? visible.filter(({ r, i }) => r.type === 'managed' && (view.admin || view.hasPublishRules(i) || !authEnabled)).map(({ r }) => r.name) : [],
      csrfToken: active?.session.csrfToken ?? null,
    };
    res.json(info);
  });
  return router;
}
