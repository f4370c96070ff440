import express, { type Express } from 'express';
import { parseItems } from '../sync/entries.js';
import { sampleItem, SampleRegistry } from './SampleRegistry.js';

function problem(res: express.Response, status: number, detail: string): void {
  res.status(status).type('application/problem+json').send(JSON.stringify({ title: status === 404 ? 'Not Found' : 'Bad Request', status, detail }));
}

/**
 * An HTTP server for a {@link SampleRegistry} speaking the official v0.1 read API
 * (`/v0.1/servers`, `/versions`, `/versions/{version}`), for demos and tests.
 */
export function createSampleRegistryApp(registry: SampleRegistry): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/v0.1/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/v0.1/servers', (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    const limit = q.limit === undefined ? 30 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      problem(res, 422, 'validation failed');
      return;
    }
    let updatedSinceMs: number | undefined;
    if (q.updated_since) {
      updatedSinceMs = Date.parse(q.updated_since);
      if (Number.isNaN(updatedSinceMs)) {
        problem(res, 400, 'Invalid updated_since format: expected RFC3339 timestamp (e.g., 2025-08-07T13:15:04.280Z)');
        return;
      }
    }
    const page = registry.list({
      limit,
      includeDeleted: q.include_deleted === 'true' || updatedSinceMs !== undefined,
      ...(q.cursor ? { cursor: q.cursor } : {}),
      ...(q.search ? { search: q.search } : {}),
      ...(q.version ? { version: q.version } : {}),
      ...(updatedSinceMs !== undefined ? { updatedSinceMs } : {}),
    });
    const metadata: Record<string, unknown> = { count: page.rows.length };
    if (page.nextCursor) metadata.nextCursor = page.nextCursor;
    res.json({ servers: page.rows.map(sampleItem), metadata });
  });
  app.get('/v0.1/servers/:name/versions', (req, res) => {
    const rows = registry.versions(req.params.name, req.query.include_deleted === 'true');
    if (rows.length === 0) problem(res, 404, 'Server not found');
    else res.json({ servers: rows.map(sampleItem), metadata: { count: rows.length } });
  });
  app.get('/v0.1/servers/:name/versions/:version', (req, res) => {
    const includeDeleted = req.query.include_deleted === 'true';
    const rows = registry.versions(req.params.name, includeDeleted);
    const row = req.params.version === 'latest' ? rows.find((r) => r.isLatest) : rows.find((r) => r.server.version === req.params.version);
    if (!row) problem(res, 404, 'Server not found');
    else res.json(sampleItem(row));
  });
  app.use((_req, res) => problem(res, 404, 'Endpoint not found.'));
  return app;
}

/** Builds a sample registry from a document (array of server.json, or a v0.1 list response). */
export function sampleRegistryFrom(items: readonly unknown[]): SampleRegistry {
  const registry = new SampleRegistry();
  const { entries } = parseItems(items);
  for (const e of entries) {
    registry.publish(e.server, e.official?.publishedAt);
    if (e.official?.status && e.official.status !== 'active') registry.setStatus(e.server.name, e.server.version, e.official.status, e.official.statusMessage);
  }
  return registry;
}
