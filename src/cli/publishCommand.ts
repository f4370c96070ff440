import { readFileSync } from 'node:fs';
import { authenticatedPrincipal } from '../access/principal.js';
import { CatalogWriter } from '../catalog/CatalogWriter.js';
import { DomainError } from '../errors.js';
import { createLogger } from '../observability/logger.js';
import { PublishService } from '../publish/PublishService.js';
import { ServerSchemaValidator } from '../publish/schemaValidator.js';
import { configFrom, withRedis } from './shared.js';

/** `publish <registry> <file> [--dry-run]`: validate, and publish as an operator. */
export async function runPublish(registryName: string, file: string, opts: { config?: string; dryRun?: boolean }): Promise<void> {
  const { config } = configFrom(opts);
  const body = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const logger = createLogger({ level: 'warn', format: config.logging.format });
  const names = config.registries.map((r) => r.name);
  const run = async (store?: CatalogWriter) => {
    const publisher = new PublishService(config.registries, config.publish, store as CatalogWriter, new ServerSchemaValidator(), logger);
    // The operator at the terminal acts as an admin.
    const principal = authenticatedPrincipal('cli', []);
    const view = { admin: true, registries: names.map((_, i) => i), canSee: () => true, canPublish: () => true, hasPublishRules: () => false };
    const target = publisher.target(view, registryName);
    if (opts.dryRun || !store) {
      const server = publisher.check(body);
      return `valid: ${server.name}@${server.version} could be published to "${target}"`;
    }
    const { name, version } = await publisher.publish({ principal, view, authEnabled: true }, target, body);
    return `published ${name}@${version} to "${target}"`;
  };
  try {
    const message = opts.dryRun ? await run() : await withRedis(config, (keys, redis) => run(CatalogWriter.forConfig(redis, keys, config.catalog)));
    process.stdout.write(`${message}\n`);
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    process.stderr.write(`${err.message}\n${(err.errors ?? []).map((e) => `  - ${e.location ?? ''}: ${e.message}`).join('\n')}\n`);
    process.exitCode = 1;
  }
}
