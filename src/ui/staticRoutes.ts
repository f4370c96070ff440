import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';

/** The console's bundled assets (the package's top-level `ui/` folder). */
export const UI_ASSETS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../ui');

/**
 * The console's Content-Security-Policy: only this origin's scripts, styles and fetches, no inline
 * code, no framing, no plugins, and Trusted Types enforced (the console never writes HTML strings).
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

/**
 * `GET /ui/` (the single page) and `GET /ui/assets/*` (its modules and styles), all with the strict
 * CSP. `/ui` redirects to `/ui/` so relative asset URLs resolve; the console routes by `#` fragment,
 * so no other server path is needed.
 */
export function staticRoutes(dir = UI_ASSETS_DIR): Router {
  const router = Router();
  const headers = (res: express.Response) => {
    res.setHeader('Content-Security-Policy', CONSOLE_CSP);
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Content-Type-Options', 'nosniff');
  };
  // Express routing is not strict about trailing slashes: one handler tells `/ui` from `/ui/`.
  router.get('/ui', (req, res) => {
    res.locals.route = 'ui';
    const q = req.originalUrl.indexOf('?');
    const pathname = q === -1 ? req.originalUrl : req.originalUrl.slice(0, q);
    if (!pathname.endsWith('/')) {
      res.redirect(308, `/ui/${q === -1 ? '' : req.originalUrl.slice(q)}`);
      return;
    }
    headers(res);
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(path.join(dir, 'index.html'));
  });
  router.use(
    '/ui/assets',
    (_req, res, next) => {
      res.locals.route = 'ui.assets';
      headers(res);
      next();
    },
    express.static(path.join(dir, 'assets'), { index: false, redirect: false, fallthrough: true, setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache') }),
  );
  return router;
}
