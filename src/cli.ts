import { Command, Option } from 'commander';
import { loadConfig, resolveConfigPath } from './config/loader.js';
import { ConfigError } from './errors.js';
import { createLogger } from './observability/logger.js';
import { startGateway, type Role } from './main.js';
import { configFrom, statusRows, table, withRedis } from './cli/shared.js';
import { SyncQueue } from './sync/SyncQueue.js';
import { SyncStatusStore } from './sync/SyncStatusStore.js';
import { GATEWAY_VERSION } from './version.js';


/** Builds the `mcp-registry-gateway` command line. */
export function buildCli(): Command {
  const program = new Command('mcp-registry-gateway')
    .description('MCP Registry Federation Gateway: one curated, access-controlled MCP server catalogue from many registries')
    .version(GATEWAY_VERSION)
    .showHelpAfterError();
  const configOption = () => new Option('-c, --config <file>', 'configuration file (default: $GATEWAY_CONFIG)');

  program
    .command('serve')
    .description('run the gateway (API, sync worker, or both)')
    .addOption(configOption())
    .addOption(new Option('-r, --role <role>', 'which parts to run').choices(['api', 'worker', 'all']).default('all'))
    .action(async (opts: { config?: string; role: Role }) => {
      const { config, source } = configFrom(opts);
      const logger = createLogger({ level: config.logging.level, format: config.logging.format });
      logger.info('starting gateway', { config: source, role: opts.role });
      const gateway = await startGateway({ config, logger, role: opts.role });
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info('shutting down', { signal });
        gateway.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });

  program
    .command('check-config')
    .description('validate a configuration file; exits non-zero listing every problem by path')
    .argument('[file]', 'configuration file (default: --config or $GATEWAY_CONFIG)')
    .addOption(configOption())
    .action((file: string | undefined, opts: { config?: string }) => {
      const { config, source } = loadConfig(resolveConfigPath(file ?? opts.config));
      const names = config.registries.map((r) => `${r.name} (${r.type})`).join(', ');
      process.stdout.write(`OK: ${source} is valid. Registries in priority order: ${names}. Auth: ${config.auth.mode}.\n`);
    });

  program
    .command('status')
    .description('print a table of registries and their sync state')
    .addOption(configOption())
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: { config?: string; json?: boolean }) => {
      const { config } = configFrom(opts);
      const [statuses, nextRuns] = await withRedis(config, async (keys, redis) => {
        const queue = new SyncQueue(redis, config.redis.prefix);
        try {
          return [await new SyncStatusStore(redis, keys).statuses(config.registries.map((r) => r.name)), await queue.nextRuns()] as const;
        } finally {
          await queue.close();
        }
      });
      if (opts.json) {
        const out = Object.fromEntries([...statuses].map(([n, st]) => [n, { ...st, ...(nextRuns.has(n) ? { nextRunAt: new Date(nextRuns.get(n) as number).toISOString() } : {}) }]));
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      } else process.stdout.write(`${table(statusRows(config, statuses, nextRuns))}\n`);
    });

  program
    .command('sync')
    .description('sync one registry now, in the foreground with a progress bar, and print its resulting status')
    .argument('<registry>', 'registry name')
    .option('--full', 'full resync (walk everything and remove what vanished upstream)')
    .addOption(configOption())
    .action(async (name: string, opts: { config?: string; full?: boolean }) => {
      const { runSync } = await import('./cli/syncCommand.js');
      await runSync(name, opts);
    });
  program
    .command('publish')
    .description('publish a server.json to a managed registry (as an operator: no token needed, audit-logged as "cli")')
    .argument('<registry>', 'managed registry name')
    .argument('<file>', 'server.json file')
    .option('--dry-run', 'validate only; publish nothing')
    .addOption(configOption())
    .action(async (registryName: string, file: string, opts: { config?: string; dryRun?: boolean }) => {
      const { runPublish } = await import('./cli/publishCommand.js');
      await runPublish(registryName, file, opts);
    });
  program
    .command('watch')
    .description('print the change events of a running gateway as they arrive (reconnects with Last-Event-ID)')
    .argument('[registry]', 'one registry\'s events (default: the aggregated catalogue)')
    .option('-u, --url <url>', 'gateway base URL (default: $GATEWAY_URL or http://localhost:8080)')
    .option('--token-env <name>', 'environment variable holding a bearer token')
    .option('--since <id>', 'resume after this event id')
    .option('--updated-since <time>', 'start from changes after this RFC 3339 time (default: only new changes)')
    .option('--json', 'print each row as JSON ({server, _meta}) instead of a summary line')
    .option('-n, --count <n>', 'exit after this many events', (v) => Number.parseInt(v, 10))
    .action(async (registry: string | undefined, opts: { url?: string; tokenEnv?: string; since?: string; updatedSince?: string; json?: boolean; count?: number }) => {
      const { runWatch } = await import('./cli/watchCommand.js');
      await runWatch(registry, { ...opts, url: opts.url ?? process.env.GATEWAY_URL ?? 'http://localhost:8080' });
    });
  program
    .command('sample-upstream')
    .description('serve a JSON file (array of server.json, or a v0.1 list response) as a read-only MCP Registry v0.1 API, for demos and tests')
    .requiredOption('-d, --data <file>', 'JSON file to serve')
    .option('-p, --port <port>', 'port to listen on', '8081')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .action(async (opts: { data: string; port: string; host: string }) => {
      const { runSampleUpstream } = await import('./cli/sampleUpstreamCommand.js');
      await runSampleUpstream(opts);
    });
  return program;
}

/** Runs the CLI; configuration problems are printed by path and exit 2, other failures exit 1. */
export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`error: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
