import { Router } from 'express';
import { ServiceUnavailableError } from '../../errors.js';
import type { Metrics } from '../../observability/metrics.js';
import type { HealthProbe } from '../ports.js';
import { sendProblem } from '../problem.js';

/** Dependencies of the health routes. */
export interface HealthRoutesDeps {
  health: HealthProbe;
  metrics?: Metrics;
}

/**
 * `/v0.1/health` and `/v0/health` (`{"status":"ok"}`, as the official registry), `/livez` (the
 * process runs), `/readyz` (the store answers — never gated on an upstream), `/metrics` (Prometheus).
 */
export function healthRoutes(deps: HealthRoutesDeps): Router {
  const router = Router();
  router.get(['/v0.1/health', '/v0/health', '/livez', '/healthz'], (_req, res) => {
    res.locals.route = 'health';
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    res.locals.route = 'readyz';
    if (!(await deps.health.storeReachable())) {
      sendProblem(res, new ServiceUnavailableError('Not ready: the catalogue store (Redis) is unreachable.'));
      return;
    }
    if (deps.health.ready && !deps.health.ready()) {
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
