import { Router, type RequestHandler } from 'express';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AccessPolicy } from '../access/AccessPolicy.js';
import type { Authenticator } from '../auth/Authenticator.js';
import { oidcIssuers, type GatewayConfig } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';
import { activityRoutes } from './activityRoutes.js';
import { adminOnly } from './adminGuard.js';
import type { AuditTrail } from './AuditTrail.js';
import { authRoutes } from './authRoutes.js';
import { BULL_BOARD_PATH, bullBoardRouter } from './bullBoard.js';
import { ConsoleOidc, type ConsoleIssuerConfig, type ConsoleSignIn } from './ConsoleOidc.js';
import { csrfProtection } from './csrf.js';
import { sessionAuth } from './sessionAuth.js';
import { sessionCookie, type SessionCookie } from './sessionCookie.js';
import { sessionRoute } from './sessionRoute.js';
import { SessionStore } from './SessionStore.js';
import { staticRoutes } from './staticRoutes.js';

/** Dependencies of the console. */
export interface ConsoleDeps {
  config: GatewayConfig;
  logger: Logger;
  redis: Redis;
  /** The gateway's Redis key base (`{prefix}:`). */
  keyBase: string;
  authenticator: Authenticator;
  access: AccessPolicy;
  trail: AuditTrail;
  /** BullMQ queues shown in Bull Board. */
  queues: Queue[];
  /** The gateway's public base URL (known once the server listens). */
  publicUrl: () => string;
  env: NodeJS.ProcessEnv;
  /** Replaces the OIDC relying party (tests of failure paths). */
  signIn?: ConsoleSignIn;
}

/** The console's two mount points in the app. */
export interface ConsoleMount {
  /** Before path guards and authentication: pages, session cookie → bearer, CSRF, sign-in routes. */
  early: Router;
  /** After authentication: admin-only Bull Board and the audit route. */
  authenticated: Router;
}

/**
 * Builds the operator console (`ui.enabled`): the static single-page app at `/ui/`, sign-in as a
 * backend-for-frontend when `auth.oidc.ui` is configured, CSRF protection for every
 * state-changing request, `GET /ui/session`, `GET /v0.1/audit` and Bull Board at `/admin/queues`.
 * @throws Error when `auth.oidc.ui.clientSecretEnv` names an unset variable.
 */
export function createConsole(deps: ConsoleDeps): ConsoleMount {
  const { config } = deps;
  const base = () => deps.publicUrl().replace(/\/+$/, '');
  const sessions = new SessionStore(deps.redis, deps.keyBase, { lifetimeMs: config.ui.session.lifetime, idleMs: config.ui.session.idleTimeout });
  let cached: { url: string; cookie: SessionCookie } | undefined;
  const cookie = () => {
    const url = base();
    if (cached?.url !== url) cached = { url, cookie: sessionCookie(url, config.ui.session) };
    return cached.cookie;
  };
  const signIn = deps.signIn ?? consoleSignIn(deps);

  const early = Router();
  early.use(onlyUnderUi(staticRoutes()));
  if (signIn) early.use(sessionAuth({ sessions, cookie, signIn, logger: deps.logger }));
  early.use(csrfProtection(() => new URL(base()).origin));
  const pages = Router();
  pages.use(authRoutes({ sessions, cookie, publicUrl: base, logger: deps.logger, ...(signIn ? { signIn } : {}) }));
  pages.use(sessionRoute({ config, authenticator: deps.authenticator, access: deps.access, sessions, signInAvailable: signIn !== undefined }));
  early.use(onlyUnderUi(pages));

  const authenticated = Router();
  authenticated.use(activityRoutes({ trail: deps.trail, access: deps.access, authenticator: deps.authenticator, logger: deps.logger }));
  authenticated.use(BULL_BOARD_PATH, adminOnly(deps, 'queues.view'));
  authenticated.use(bullBoardRouter(deps.queues));
  return { early, authenticated };
}

/** Runs `router` only for `/ui` and paths below it: API requests (the hot path) skip its layers. */
function onlyUnderUi(router: Router): RequestHandler {
  return (req, res, next) => (req.path === '/ui' || req.path.startsWith('/ui/') ? router(req, res, next) : next());
}

function consoleSignIn(deps: ConsoleDeps): ConsoleSignIn | undefined {
  if (deps.config.auth.mode !== 'oidc') return undefined;
  const issuer = oidcIssuers(deps.config).find((i): i is ConsoleIssuerConfig => i.ui !== undefined);
  if (!issuer) return undefined;
  const secret = deps.env[issuer.ui.clientSecretEnv];
  if (!secret) throw new Error(`auth.oidc.ui.clientSecretEnv: environment variable ${issuer.ui.clientSecretEnv} is not set`);
  return new ConsoleOidc(issuer, secret, deps.logger);
}
