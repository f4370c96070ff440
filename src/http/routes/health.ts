import { Router } from 'express';
import type { Redis } from 'ioredis';
import type { Metrics } from '../../observability/metrics.js';
import { ServiceUnavailableError } from '../../errors.js';
import { sendProblem } from '../problem.js';

/** Dependencies of the health routes. */
export interface HealthRoutesDeps {
  redis: Redis;
  metrics?: Metrics;
  /** Extra readiness condition (e.g. the catalogue index has loaded). */
  ready?: () => boolean;
}

const PING_TIMEOUT_MS = 1000;

async function redisReachable(redis: Redis): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), PING_TIMEOUT_MS);
    });
    // The ping may reject after the race is decided (redis.commandTimeout): never leave that unhandled.
    return (await Promise.race([redis.ping().catch(() => undefined), timeout])) === 'PONG';
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `/v0.1/health` and `/v0/health` (`{"status":"ok"}`, as the official registry), `/livez` (the
 * process runs), `/readyz` (Redis answers — never gated on an upstream), `/metrics` (Prometheus).
 */
export function healthRoutes(deps: HealthRoutesDeps): Router {
  const router = Router();
  router.get(['/v0.1/health', '/v0/health', '/livez', '/healthz'], (_req, res) => {
    res.locals.route = 'health';
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    res.locals.route = 'readyz';
    if (!(await redisReachable(deps.redis))) {
      sendProblem(res, new ServiceUnavailableError('Not ready: the catalogue store (Redis) is unreachable.'));
      return;
    }
    if (deps.ready && !deps.ready()) {
      sendProblem(res, new ServiceUnavailableError('Not ready: the catalogue index is still loading.'));
      return;
    }
    res.json({ status: 'ok' });
  });
  if (deps.metrics) {
    const registry = deps.metrics.registry;
    router.get('/metrics', async (_req, res) => {
      res.locals.route = 'metrics';
      res.type(registry.contentType).send(await registry.metrics());
    });
  }
  return router;
}
