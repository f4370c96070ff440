import express, { Router, type Request } from 'express';
import { z } from 'zod';
import type { Authenticator } from '../../auth/Authenticator.js';
import { decodePosition } from '../../catalog/ChangeFeed.js';
import { guardStore } from '../../catalog/storeUnavailable.js';
import { ForbiddenError, ValidationError } from '../../errors.js';
import type { Logger } from '../../observability/logger.js';
import type { WebhookAdmin } from '../../webhooks/WebhookAdmin.js';
import { parseTimestamp } from '../query.js';
import type { AccessViews } from '../ports.js';

/** Dependencies of the webhook admin routes. */
export interface WebhookRoutesDeps {
  admin: WebhookAdmin;
  access: AccessViews;
  authenticator: Authenticator;
  logger: Logger;
}

const redeliverBody = z
  .object({
    since: z.string().min(1).max(4096).optional(),
    updated_since: z.string().min(1).max(64).optional(),
  })
  .strict()
  .refine((b) => !(b.since && b.updated_since), 'give since or updated_since, not both');

/**
 * Admin routes: `GET /webhooks` (each webhook with its delivery state and recent attempts) and
 * `POST /webhooks/{name}/redeliver` (body optional: `{since: <event id>}` or `{updated_since:
 * <RFC 3339>}` rewinds the receiver; without it, a receiver backing off is retried now). Admins
 * only (others 403; anonymous callers 401 when auth is on); audit-logged.
 */
export function webhookRoutes(deps: WebhookRoutesDeps): Router {
  const router = Router();
  const requireAdmin = (req: Request, action: string): void => {
    if (deps.access.viewFor(req.principal).admin) return;
    deps.logger.warn('audit', { action, outcome: 'denied', subject: req.principal.subject ?? '(anonymous)' });
    if (req.principal.anonymous && deps.authenticator.enabled) {
      throw deps.authenticator.missingCredentials('Webhook administration requires authentication: send an OAuth bearer token.');
    }
    throw new ForbiddenError('Webhook administration requires membership in one of the groups listed in access.admins.');
  };

  router.get('/webhooks', async (req, res) => {
    res.locals.route = 'webhooks.list';
    requireAdmin(req, 'webhooks.list');
    res.json({ webhooks: await guardStore(() => deps.admin.list()) });
  });

  router.post('/webhooks/:name/redeliver', express.json({ limit: 8192 }), async (req, res) => {
    res.locals.route = 'webhooks.redeliver';
    requireAdmin(req, 'webhooks.redeliver');
    const parsed = redeliverBody.safeParse(req.body ?? {});
    if (!parsed.success) {
      throw new ValidationError('validation failed: the body may hold since (an event id) or updated_since (RFC 3339)', {
        errors: parsed.error.issues.map((i) => ({ message: i.message, location: `body${i.path.length ? '.' + i.path.join('.') : ''}` })),
      });
    }
    const { since, updated_since: updatedSince } = parsed.data;
    if (since) decodePosition(since);
    const from = since ? { since } : updatedSince ? { updatedSinceUs: parseTimestamp(updatedSince) } : undefined;
    const name = String(req.params.name);
    const summary = await guardStore(() => deps.admin.redeliver(name, from));
    deps.logger.info('audit', { action: 'webhooks.redeliver', webhook: name, from: since ?? updatedSince ?? 'retry', outcome: 'accepted', subject: req.principal.subject ?? '(anonymous)' });
    res.status(202).json(summary);
  });
  return router;
}
