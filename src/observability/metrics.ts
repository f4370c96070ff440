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
