import { Router } from 'express';

/**
 * `GET /_bench/static?bytes=N`: N fixed bytes of JSON from memory, through the same middleware as
 * the catalogue routes (request id, auth, logging) but without Redis — the baseline `npm run bench`
 * compares every route against. Enabled only by `api.benchmarkRoute`.
 */
export function benchStaticRoutes(): Router {
  const router = Router();
  const cache = new Map<number, Buffer>();
  router.get('/_bench/static', (req, res) => {
    res.locals.route = 'bench.static';
    const bytes = Math.min(Math.max(Number(req.query.bytes) || 1024, 16), 1 << 20);
    let body = cache.get(bytes);
    if (!body) {
      body = Buffer.from(`{"pad":"${'x'.repeat(bytes - 10)}"}`);
      cache.set(bytes, body);
    }
    res.type('application/json').send(body);
  });
  return router;
}
