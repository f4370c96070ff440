import client from 'prom-client';

/** HTTP metrics recorder. */
export interface HttpMetrics {
  observe(method: string, route: string, status: number, seconds: number): void;
}

/** The gateway's Prometheus registry and the metrics it records. */
export interface Metrics extends HttpMetrics {
  registry: client.Registry;
}

/**
 * Creates a fresh Prometheus registry (no global state, so tests can build many apps) with Node
 * process metrics and HTTP request counters/latency histograms labelled by route pattern.
 */
export function createMetrics(): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'mcpgw_' });
  const requests = new client.Counter({
    name: 'mcpgw_http_requests_total',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new client.Histogram({
    name: 'mcpgw_http_request_duration_seconds',
    help: 'HTTP request latency by route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return {
    registry,
    observe(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      latency.observe({ method, route }, seconds);
    },
  };
}

/** One registry's sync health, as the gauges report it. */
export interface RegistryHealth {
  name: string;
  type: string;
  phase: string;
  /** Epoch ms of the last successful sync, if any. */
  lastSuccessMs?: number;
  /** Consecutive failed runs. */
  consecutiveFailures: number;
  servers: number;
  versions: number;
  /** Scheduled sync interval (upstream registries), seconds. */
  intervalSeconds?: number;
}

/** Where the sync-health gauges read from at scrape time (Redis, through the sync status store). */
export interface SyncHealthSource {
  registries(): Promise<RegistryHealth[]>;
  /** True when Redis answers. */
  redisUp(): Promise<boolean>;
}

/** Every phase a registry can be in (`mcpgw_registry_sync_phase` has one series per phase). */
export const SYNC_PHASES = ['pending', 'syncing', 'complete', 'failed'] as const;

/**
 * Adds gauges computed at scrape time from the shared sync status in Redis, so every API replica
 * reports the fleet's view (workers serve no HTTP): `mcpgw_registry_last_success_timestamp_seconds`,
 * `mcpgw_registry_consecutive_failures`, `mcpgw_registry_sync_phase`,
 * `mcpgw_registry_sync_interval_seconds`, `mcpgw_registry_servers`, `mcpgw_registry_versions` (label
 * `registry`) and `mcpgw_redis_up`. When Redis is down only `mcpgw_redis_up 0` is reported.
 */
export function registerSyncHealthMetrics(registry: client.Registry, source: SyncHealthSource): void {
  let snapshot: Promise<{ up: boolean; registries: RegistryHealth[] }> | undefined;
  // One Redis read per scrape, shared by the gauges below.
  const read = () => {
    snapshot ??= (async () => {
      const up = await source.redisUp().catch(() => false);
      const registries = up ? await source.registries().catch(() => []) : [];
      return { up, registries };
    })().finally(() => setTimeout(() => (snapshot = undefined), 0));
    return snapshot;
  };
  const perRegistry = (name: string, help: string, value: (r: RegistryHealth) => number | undefined) =>
    new client.Gauge({
      name,
      help,
      labelNames: ['registry'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const r of (await read()).registries) {
          const v = value(r);
          if (v !== undefined) this.set({ registry: r.name }, v);
        }
      },
    });
  perRegistry('mcpgw_registry_last_success_timestamp_seconds', 'Unix time of the registry\'s last successful sync (absent until one succeeds)', (r) =>
    r.lastSuccessMs === undefined ? undefined : r.lastSuccessMs / 1000,
  );
  perRegistry('mcpgw_registry_consecutive_failures', 'Consecutive failed sync runs of the registry (0 after a success)', (r) => r.consecutiveFailures);
  perRegistry('mcpgw_registry_sync_interval_seconds', 'Scheduled sync interval of an upstream registry', (r) => r.intervalSeconds);
  perRegistry('mcpgw_registry_servers', 'Server names the registry holds', (r) => r.servers);
  perRegistry('mcpgw_registry_versions', 'Versions the registry holds', (r) => r.versions);
  new client.Gauge({
    name: 'mcpgw_registry_sync_phase',
    help: 'Sync phase of the registry: 1 for the current phase, 0 for the others',
    labelNames: ['registry', 'phase'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of (await read()).registries) for (const phase of SYNC_PHASES) this.set({ registry: r.name, phase }, r.phase === phase ? 1 : 0);
    },
  });
  new client.Gauge({
    name: 'mcpgw_redis_up',
    help: 'Whether Redis answered this scrape (1) or not (0)',
    registers: [registry],
    async collect() {
      this.set((await read()).up ? 1 : 0);
    },
  });
}
