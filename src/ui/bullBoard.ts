import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Router } from 'express';
import type { Queue } from 'bullmq';

/** Where Bull Board is mounted. */
export const BULL_BOARD_PATH = '/admin/queues';

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
  router.use(BULL_BOARD_PATH, adapter.getRouter() as Router);
  return router;
}
