import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Authenticator } from '../../auth/Authenticator.js';
import type { GatewayConfig } from '../../config/schema.js';
import { InputError, MethodNotAllowedError, PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../../errors.js';
import type { Writer } from '../../publish/PublishService.js';
import { challengeAnonymous } from '../authGate.js';
import type { AccessViews, CatalogReads, Publishing } from '../ports.js';
import { parseServerPath } from '../serverPath.js';

/** Dependencies of the write routes. */
export interface PublishRoutesDeps {
  publisher: Publishing;
  catalog: Pick<CatalogReads, 'getStored'>;
  access: AccessViews;
  authenticator: Authenticator;
  publish: GatewayConfig['publish'];
}

const statusBody = z.object({
  status: z.enum(['active', 'deprecated', 'deleted']),
  statusMessage: z.string().optional(),
});

/**
 * Write routes of managed registries: `POST /{registry}/v0.1/publish` (and `POST /v0.1/publish` to
 * `publish.defaultRegistry`), `PUT`/`DELETE .../servers/{name}/versions/{version}`, `PATCH
 * .../versions/{version}/status` and `PATCH .../servers/{name}/status`. Thin: authenticate and
 * check the caller has some write right in the registry, only then read and parse the body, call
 * the publish service, render the stored entry.
 */
export function publishRoutes(deps: PublishRoutesDeps): Router {
  const router = Router({ mergeParams: true });
  const json = express.json({ limit: deps.publish.maxBodyBytes, type: () => true });

  const body = (req: Request, res: Response, next: NextFunction) => {
    if (!req.is('application/json')) {
      next(new UnsupportedMediaTypeError('Send the body as JSON with Content-Type: application/json.'));
      return;
    }
    json(req, res, (err?: unknown) => {
      const e = err as { type?: string } | undefined;
      if (e?.type === 'entity.too.large') next(new PayloadTooLargeError(`The body is larger than ${deps.publish.maxBodyBytes} bytes (publish.maxBodyBytes).`));
      else next(err);
    });
  };

  const readBody = (req: Request, res: Response) =>
    new Promise<void>((resolve, reject) => body(req, res, (err?: unknown) => (err ? reject(err) : resolve())));

  const writer = (req: Request): Writer => {
    challengeAnonymous(deps.authenticator, req.principal, 'Publishing requires authentication: send an OAuth bearer token.');
    return { principal: req.principal, view: deps.access.viewFor(req.principal), authEnabled: deps.authenticator.enabled };
  };

  /** Who writes where: resolved (and any write right checked) before the body is read. */
  const resolve = (req: Request, registryName: string | undefined): { w: Writer; registry: string } => {
    const w = writer(req);
    const registry = deps.publisher.target(w.view, registryName);
    deps.publisher.assertMayWrite(w, registry);
    return { w, registry };
  };

  const render = (registry: string, name: string, version: string) => deps.catalog.getStored(registry, name, version);

  const publish = async (req: Request, res: Response) => {
    const { w, registry } = resolve(req, (req.params as { registryName?: string }).registryName);
    await readBody(req, res);
    const { name, version } = await deps.publisher.publish(w, registry, req.body);
    res.type('application/json').send(await render(registry, name, version));
  };
  router.post(['/v0.1/publish', '/v0/publish'], async (req, res) => {
    res.locals.route = 'publish.default';
    await publish(req, res);
  });
  router.post(['/:registryName/v0.1/publish', '/:registryName/v0/publish'], async (req, res) => {
    res.locals.route = 'registry.publish';
    await publish(req, res);
  });

  router.all(['/:registryName/v0.1/servers/*path', '/:registryName/v0/servers/*path'], async (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') {
      next();
      return;
    }
    const registryName = req.params.registryName as string;
    const parsed = parseServerPath((req.params as { path: string[] }).path);
    const route = (kind: string) => (res.locals.route = `registry.servers.${kind}`);
    if (!parsed) {
      next();
      return;
    }
    const { w, registry } = resolve(req, registryName);
    if (req.method === 'PATCH' && (parsed.kind === 'versionStatus' || parsed.kind === 'status')) {
      route('status');
      await readBody(req, res);
      const change = statusBody.safeParse(req.body);
      if (!change.success) {
        throw new ValidationError('validation failed: status must be one of active, deprecated, deleted', {
          errors: change.error.issues.map((i) => ({ message: i.message, location: `body.${i.path.join('.')}` })),
        });
      }
      if ((change.data.statusMessage?.length ?? 0) > 500) throw new InputError('statusMessage must be at most 500 characters.');
      const version = parsed.kind === 'versionStatus' ? parsed.version : undefined;
      const touched = await deps.publisher.setStatus(w, registry, parsed.name, version, { status: change.data.status, ...(change.data.statusMessage ? { statusMessage: change.data.statusMessage } : {}) });
      if (version !== undefined) {
        res.type('application/json').send(await render(registry, parsed.name, version));
        return;
      }
      const items = await Promise.all(touched.map((v) => render(registry, parsed.name, v)));
      res.type('application/json').send(Buffer.concat([Buffer.from(`{"updatedCount":${touched.length},"servers":[`), ...items.flatMap((b, i) => (i === 0 ? [b] : [Buffer.from(','), b])), Buffer.from(']}')]));
      return;
    }
    if (parsed.kind !== 'version') throw new MethodNotAllowedError(`${req.method} is not supported on this path.`);
    if (req.method === 'PUT') {
      route('edit');
      await readBody(req, res);
      await deps.publisher.edit(w, registry, parsed.name, parsed.version, req.body);
      res.type('application/json').send(await render(registry, parsed.name, parsed.version));
      return;
    }
    if (req.method === 'DELETE') {
      route('delete');
      await deps.publisher.delete(w, registry, parsed.name, parsed.version);
      res.type('application/json').send(await render(registry, parsed.name, parsed.version));
      return;
    }
    throw new MethodNotAllowedError(`${req.method} is not supported on this path.`);
  });

  router.all(['/v0.1/servers/*path', '/v0/servers/*path'], (req, _res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') {
      next();
      return;
    }
    throw new MethodNotAllowedError('The aggregated catalogue is read-only: edit a server through its managed registry, /{registryName}/v0.1/servers/...');
  });

  return router;
}
