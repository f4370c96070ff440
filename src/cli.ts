import cliProgress from 'cli-progress';
import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { authenticatedPrincipal } from './access/principal.js';
import { CatalogIndex } from './catalog/CatalogIndex.js';
import { Keys } from './catalog/keys.js';
import { PublishService } from './publish/PublishService.js';
import { ServerSchemaValidator } from './publish/schemaValidator.js';
import { CatalogStore } from './catalog/CatalogStore.js';
import { createRedis, waitForRedis } from './catalog/redisClient.js';
import { loadConfig, resolveConfigPath } from './config/loader.js';
import type { GatewayConfig } from './config/schema.js';
import { ConfigError, DomainError } from './errors.js';
import { createLogger } from './observability/logger.js';
import { redactUrl, startGateway, type Role } from './main.js';
import { documentItems } from './sync/entries.js';
import { FileRegistrySource } from './sync/FileRegistrySource.js';
import { createSampleRegistryApp, sampleRegistryFrom } from './upstream/sampleRegistryApp.js';
import { SyncQueue } from './sync/SyncQueue.js';
import { SyncStatusStore, type SyncStatus } from './sync/SyncStatusStore.js';
import { UpstreamSync, type SyncProgress } from './sync/UpstreamSync.js';
import { GATEWAY_VERSION } from './version.js';


function configFrom(opts: { config?: string }): { config: GatewayConfig; source: string } {
  return loadConfig(resolveConfigPath(opts.config));
}

async function withRedis<T>(config: GatewayConfig, fn: (keys: Keys, redis: ReturnType<typeof createRedis>) => Promise<T>): Promise<T> {
  const redis = createRedis(config.redis.url, { name: 'mcp-registry-gateway:cli' });
  redis.on('error', () => undefined);
  try {
    await waitForRedis(redis, 5000).catch(() => {
      throw new Error(`Redis at ${redactUrl(config.redis.url)} is unreachable. Start Redis or set REDIS_URL.`);
    });
    return await fn(new Keys(config.redis.prefix), redis);
  } finally {
    redis.disconnect();
  }
}

function ago(iso?: string): string {
  if (!iso) return '-';
  const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86400) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}

/** Renders rows as an aligned text table. */
export function table(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ').trimEnd()).join('\n');
}

function inFuture(epochMs?: number): string {
  if (epochMs === undefined) return '-';
  const s = Math.max(0, Math.round((epochMs - Date.now()) / 1000));
  return s < 60 ? `in ${s}s` : s < 3600 ? `in ${Math.round(s / 60)}m` : `in ${Math.round(s / 3600)}h`;
}

function statusRows(config: GatewayConfig, statuses: Map<string, SyncStatus>, nextRuns = new Map<string, number>()): string[][] {
  const rows = [['REGISTRY', 'TYPE', 'PHASE', 'SERVERS', 'VERSIONS', 'LAST SYNC', 'MODE', 'NEXT RUN', 'FAILURES', 'MESSAGE']];
  for (const r of config.registries) {
    const s = statuses.get(r.name);
    rows.push([
      r.name,
      r.type,
      r.type === 'managed' ? '-' : (s?.phase ?? 'pending'),
      String(s?.serverCount ?? 0),
      String(s?.versionCount ?? 0),
      ago(s?.lastSyncTime),
      s?.lastRunMode ?? '-',
      inFuture(nextRuns.get(r.name)),
      String(s?.attemptCount ?? 0),
      (s?.message ?? '').slice(0, 100),
    ]);
  }
  return rows;
}

/** A one-line progress display (pages, entries, entries/s) for a foreground sync. */
function createProgress(registry: string): { update(p: SyncProgress): void; stop(): void } {
  const bar = new cliProgress.SingleBar(
    {
      format: `{mode} sync of ${registry} | {pages} pages | {entries} entries | {rate} entries/s | {changed} changed | {skipped} skipped`,
      hideCursor: true,
      clearOnComplete: false,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      const seconds = Math.max((Date.now() - p.startedAt) / 1000, 0.001);
      const payload = { mode: p.mode, pages: p.pages, entries: p.entries, changed: p.changed, skipped: p.skipped, rate: Math.round(p.entries / seconds) };
      if (!started) {
        bar.start(0, 0, payload);
        started = true;
      } else bar.update(0, payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

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
      const { config } = configFrom(opts);
      const registry = config.registries.find((r) => r.name === name);
      if (!registry) throw new ConfigError('sync', [`no registry named "${name}"; configured: ${config.registries.map((r) => r.name).join(', ')}`]);
      if (registry.type === 'managed') throw new ConfigError('sync', [`registry "${name}" is managed: its content is published to this gateway, there is nothing to sync`]);
      const logger = createLogger({ level: 'error', format: config.logging.format });
      const abort = new AbortController();
      process.once('SIGINT', () => abort.abort(new Error('interrupted by the user')));
      const result = await withRedis(config, async (keys, redis) => {
        const store = new CatalogStore(redis, keys);
        const status = new SyncStatusStore(redis, keys);
        await status.reconcile(config.registries);
        if (registry.type === 'file') return new FileRegistrySource(registry, { redis, store, status, logger }).load();
        const progress = createProgress(name);
        try {
          return await new UpstreamSync(registry, { redis, store, status, logger }).run({
            full: opts.full === true,
            signal: abort.signal,
            onProgress: (p) => progress.update(p),
          });
        } catch {
          return status.get(name);
        } finally {
          progress.stop();
        }
      });
      if (!result) {
        process.stdout.write(`${name}: another worker is syncing this registry right now; try again shortly.\n`);
        process.exitCode = 2;
        return;
      }
      process.stdout.write(`${table(statusRows({ ...config, registries: [registry] }, new Map([[name, result]])))}\n`);
      if (result.phase === 'failed') process.exitCode = 1;
    });

  program
    .command('publish')
    .description('publish a server.json to a managed registry (as an operator: no token needed, audit-logged as "cli")')
    .argument('<registry>', 'managed registry name')
    .argument('<file>', 'server.json file')
    .option('--dry-run', 'validate only; publish nothing')
    .addOption(configOption())
    .action(async (registryName: string, file: string, opts: { config?: string; dryRun?: boolean }) => {
      const { config } = configFrom(opts);
      const body = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      const logger = createLogger({ level: 'warn', format: config.logging.format });
      const names = config.registries.map((r) => r.name);
      const run = async (store?: CatalogStore) => {
        const index = store ? new CatalogIndex(store, names) : undefined;
        const publisher = new PublishService(config.registries, config.publish, index as CatalogIndex, store as CatalogStore, new ServerSchemaValidator(), logger);
        const target = publisher.target(registryName);
        if (opts.dryRun || !store) {
          const server = publisher.check(body);
          return `valid: ${server.name}@${server.version} could be published to "${target}"`;
        }
        const principal = authenticatedPrincipal('cli', []);
        const view = { admin: true, registries: names.map((_, i) => i), canSee: () => true, canPublish: () => true };
        const { name, version } = await publisher.publish({ principal, view, authEnabled: true }, target, body);
        return `published ${name}@${version} to "${target}"`;
      };
      try {
        const message = opts.dryRun ? await run() : await withRedis(config, (keys, redis) => run(new CatalogStore(redis, keys)));
        process.stdout.write(`${message}\n`);
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        process.stderr.write(`${err.message}\n${(err.errors ?? []).map((e) => `  - ${e.location ?? ''}: ${e.message}`).join('\n')}\n`);
        process.exitCode = 1;
      }
    });

  program
    .command('sample-upstream')
    .description('serve a JSON file (array of server.json, or a v0.1 list response) as a read-only MCP Registry v0.1 API, for demos and tests')
    .requiredOption('-d, --data <file>', 'JSON file to serve')
    .option('-p, --port <port>', 'port to listen on', '8081')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .action(async (opts: { data: string; port: string; host: string }) => {
      const doc = JSON.parse(readFileSync(opts.data, 'utf8')) as unknown;
      const items = documentItems(doc);
      if (!items) throw new ConfigError(opts.data, ['expected a JSON array of server.json objects or a v0.1 list response']);
      const registry = sampleRegistryFrom(items);
      const app = createSampleRegistryApp(registry);
      const server = app.listen(Number(opts.port), opts.host, () => {
        process.stdout.write(`sample upstream registry: ${registry.size} versions from ${opts.data} at http://${opts.host}:${opts.port}/v0.1/servers\n`);
      });
      const stop = () => server.close(() => process.exit(0));
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
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
