import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Router } from 'express';
import type { Queue } from 'bullmq';

/** Where Bull Board is mounted. */
export const BULL_BOARD_PATH = '/admin/queues';

/**
 * Bull Board's page under a CSP of its own: its bundled scripts only, and nothing from outside (its
 * page links a web font from Google, which is blocked, so it renders in a system font offline).
 * Its React UI sets inline styles, which are allowed here (and only here).
 */
const BULL_BOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * BullMQ's own dashboard (Bull Board) for the sync queue, read-only: jobs, schedules, failures and
 * their stack traces, for operators used to it. Mount it behind the admin check. Read-only because
 * the gateway's own admin routes are how syncs are started, and Bull Board's writes would not carry
 * the console's CSRF token (they are refused anyway).
 */
export function bullBoardRouter(queues: Queue[]): Router {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode: true })),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'MCP gateway queues' } },
  });
  const router = Router();
  router.use(
    BULL_BOARD_PATH,
    (_req, res, next) => {
      res.setHeader('Content-Security-Policy', BULL_BOARD_CSP);
      next();
    },
    adapter.getRouter() as Router,
  );
  return router;
}
