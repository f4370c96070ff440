import { Router, type Request } from 'express';
import { decodePosition, type ChangeFeed, type FeedPosition } from '../../catalog/ChangeFeed.js';
import { guardStore } from '../../catalog/storeUnavailable.js';
import type { GatewayConfig } from '../../config/schema.js';
import type { EventStreams } from '../../events/EventStreams.js';
import { pumpEvents } from '../../events/pumpEvents.js';
import { retryFrame } from '../../events/sseFrames.js';
import type { Logger } from '../../observability/logger.js';
import { parseTimestamp } from '../query.js';
import type { AccessViews, CatalogReads } from '../ports.js';

/** Dependencies of the change-event routes. */
export interface EventRoutesDeps {
  feed: ChangeFeed;
  streams: EventStreams;
  catalog: Pick<CatalogReads, 'scopeFor'>;
  access: AccessViews;
  events: GatewayConfig['events'];
  logger: Logger;
}

/** Client reconnection delay announced on every stream (ms). */
const RETRY_MS = 2000;

function single(req: Request, key: string): string | undefined {
  const v = (req.query as Record<string, unknown>)[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * Where a stream starts: `Last-Event-ID` (a reconnecting EventSource), else `?since=<id>`, else
 * `?updated_since=<RFC 3339>`, else only changes from now on.
 * @throws InputError (400) for a position or timestamp this gateway did not issue or cannot parse.
 */
async function startPosition(req: Request, feed: ChangeFeed): Promise<FeedPosition> {
  const resume = req.get('last-event-id')?.trim() || single(req, 'since');
  if (resume) {
    decodePosition(resume);
    return resume;
  }
  const updatedSince = single(req, 'updated_since');
  if (updatedSince) return feed.positionAt(parseTimestamp(updatedSince));
  return guardStore(() => feed.head());
}

/**
 * `GET /v0.1/events` and `GET /{registryName}/v0.1/events`: the catalogue's changes as
 * Server-Sent Events (DESIGN §3), each row exactly as the matching list route shows it to this
 * caller. Mounted where the read routes are.
 */
export function eventRoutes(deps: EventRoutesDeps): Router {
  const router = Router({ mergeParams: true });
  router.get('/events', async (req, res) => {
    const registryName = (req.params as { registryName?: string }).registryName;
    res.locals.route = registryName ? 'registry.events' : 'events';
    const view = deps.access.viewFor(req.principal);
    const scope = deps.catalog.scopeFor(view, registryName);
    const start = await startPosition(req, deps.feed);
    const subscription = deps.streams.subscribe(res);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'private, no-cache, no-transform',
      Vary: 'Authorization, X-Authorization',
      'X-Accel-Buffering': 'no',
      Connection: 'keep-alive',
    });
    res.write(retryFrame(RETRY_MS));
    req.socket.setNoDelay(true);
    await pumpEvents({ feed: deps.feed, view, scope, start, res, subscription, limits: deps.events, logger: deps.logger });
  });
  return router;
}
