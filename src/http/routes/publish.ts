import { Router, type Request } from 'express';
import type { GatewayConfig, RegistryConfig } from '../../config/schema.js';
import { MethodNotAllowedError, NotFoundError, NotImplementedError } from '../../errors.js';

/** Dependencies of the write routes. */
export interface PublishRoutesDeps {
  registries: readonly RegistryConfig[];
  publish: GatewayConfig['publish'];
}

/**
 * Write routes (publish, edit, status, delete). Writes are accepted only by managed registries;
 * other registry types answer 405 with the reason. Managed-registry writes are not available in
 * this release and answer 501.
 */
export function publishRoutes(deps: PublishRoutesDeps): Router {
  const router = Router({ mergeParams: true });

  const managedTarget = (req: Request): RegistryConfig => {
    const name = (req.params as { registryName?: string }).registryName;
    const registry = deps.registries.find((r) => r.name === name);
    if (!registry) throw new NotFoundError(`Registry "${name}" not found.`);
    if (registry.type !== 'managed') {
      throw new MethodNotAllowedError(
        `Registry "${registry.name}" is a ${registry.type} registry and is read-only here: only managed registries accept publishes and edits.`,
      );
    }
    return registry;
  };

  const notYet = (registry: RegistryConfig) =>
    new NotImplementedError(`Writes to managed registry "${registry.name}" are not available in this release of the gateway.`);

  router.post('/v0.1/publish', (_req, res) => {
    res.locals.route = 'publish.default';
    const target = deps.publish.defaultRegistry;
    if (!target) {
      throw new NotImplementedError('No default registry for publishing is configured (publish.defaultRegistry). Publish to a managed registry with POST /{registryName}/v0.1/publish.');
    }
    throw notYet(deps.registries.find((r) => r.name === target) as RegistryConfig);
  });

  router.post('/:registryName/v0.1/publish', (req, res) => {
    res.locals.route = 'registry.publish';
    throw notYet(managedTarget(req));
  });

  router.all(['/:registryName/v0.1/servers/*path'], (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') {
      next();
      return;
    }
    res.locals.route = 'registry.servers.write';
    throw notYet(managedTarget(req));
  });

  return router;
}
