import cliProgress from 'cli-progress';
import { CatalogWriter } from '../catalog/CatalogWriter.js';
import { ConfigError } from '../errors.js';
import { createLogger } from '../observability/logger.js';
import { FileRegistrySource } from '../sync/FileRegistrySource.js';
import { SyncStatusStore } from '../sync/SyncStatusStore.js';
import { UpstreamSync, type SyncProgress } from '../sync/UpstreamSync.js';
import { configFrom, statusRows, table, withRedis } from './shared.js';

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

/** `sync <registry> [--full]`: one sync in the foreground, then its status. */
export async function runSync(name: string, opts: { config?: string; full?: boolean }): Promise<void> {
  const { config } = configFrom(opts);
  const registry = config.registries.find((r) => r.name === name);
  if (!registry) throw new ConfigError('sync', [`no registry named "${name}"; configured: ${config.registries.map((r) => r.name).join(', ')}`]);
  if (registry.type === 'managed') throw new ConfigError('sync', [`registry "${name}" is managed: its content is published to this gateway, there is nothing to sync`]);
  const logger = createLogger({ level: 'error', format: config.logging.format });
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort(new Error('interrupted by the user')));
  const result = await withRedis(config, async (keys, redis) => {
    const writer = CatalogWriter.forConfig(redis, keys, config.catalog);
    const status = new SyncStatusStore(redis, keys);
    await status.reconcile(config.registries);
    if (registry.type === 'file') return new FileRegistrySource(registry, { redis, writer, status, logger }).load();
    const progress = createProgress(name);
    try {
      return await new UpstreamSync(registry, { redis, writer, status, logger }).run({
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
}
