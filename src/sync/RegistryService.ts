import type { CallerView } from '../access/AccessPolicy.js';
import type { RegistryConfig } from '../config/schema.js';
import { ConflictError, NotFoundError, NotImplementedError } from '../errors.js';
import { redactUrl } from '../observability/redact.js';
import type { SyncStatus, SyncStatusStore } from './SyncStatusStore.js';

/** A registry as served by the admin routes. */
export interface RegistrySummary {
  name: string;
  type: RegistryConfig['type'];
  /** Position in the aggregation order (0 = highest priority). */
  priority: number;
  description?: string;
  url?: string;
  createdAt?: string;
  updatedAt?: string;
  syncStatus: SyncStatus;
}

/** How the service reaches the sync machinery (the BullMQ queue in production). */
export interface SyncControl {
  /** Starts a sync of one registry; resolves once the request is accepted (not when it finishes). */
  trigger(registry: RegistryConfig, options: { full: boolean }): Promise<void>;
  /** When each registry's next scheduled sync runs (epoch ms). */
  nextRuns?(): Promise<Map<string, number>>;
}

/**
 * Admin view of the configured registries and their `syncStatus` (`GET /v0.1/registries`), and the
 * "sync now" action.
 */
export class RegistryService {
  constructor(
    private readonly registries: readonly RegistryConfig[],
    private readonly status: SyncStatusStore,
    private readonly sync?: SyncControl,
  ) {}

  /** Every registry the caller's view includes, in priority order. */
  async list(view: CallerView): Promise<RegistrySummary[]> {
    const visible = this.registries.filter((_, i) => view.registries.includes(i));
    const names = visible.map((r) => r.name);
    const [records, statuses, nextRuns] = await Promise.all([
      this.status.records(names),
      this.status.statuses(names),
      this.sync?.nextRuns ? this.sync.nextRuns() : Promise.resolve(new Map<string, number>()),
    ]);
    return visible.map((r) => {
      const syncStatus = statuses.get(r.name) as SyncStatus;
      // Managed registries are written here, never synced: they are always up to date.
      if (r.type === 'managed') Object.assign(syncStatus, { phase: 'complete', message: 'managed: servers are published to this gateway' });
      const next = nextRuns.get(r.name);
      if (next !== undefined) syncStatus.nextRunAt = new Date(next).toISOString();
      const summary: RegistrySummary = {
        name: r.name,
        type: r.type,
        priority: this.registries.indexOf(r),
        syncStatus,
      };
      if (r.description) summary.description = r.description;
      if (r.type === 'upstream') summary.url = redactUrl(r.url);
      const record = records.get(r.name);
      if (record) {
        summary.createdAt = record.createdAt;
        summary.updatedAt = record.updatedAt;
      }
      return summary;
    });
  }

  /**
   * One registry.
   * @throws NotFoundError when it is not configured or not visible.
   */
  async get(view: CallerView, name: string): Promise<RegistrySummary> {
    const found = (await this.list(view)).find((r) => r.name === name);
    if (!found) throw new NotFoundError(`Registry "${name}" not found.`);
    return found;
  }

  /**
   * Requests a sync now.
   * @throws NotFoundError for an unknown registry; ConflictError for a managed registry (nothing to
   * sync); NotImplementedError when this process cannot start syncs.
   */
  async requestSync(view: CallerView, name: string, full: boolean): Promise<RegistrySummary> {
    const summary = await this.get(view, name);
    const registry = this.registries.find((r) => r.name === name) as RegistryConfig;
    if (registry.type === 'managed') {
      throw new ConflictError(`Registry "${name}" is managed: its content is published here, so there is nothing to sync.`);
    }
    if (!this.sync) throw new NotImplementedError(`Syncing ${registry.type} registries is not available in this gateway process.`);
    await this.sync.trigger(registry, { full });
    return summary;
  }
}
