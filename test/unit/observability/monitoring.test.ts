import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { createMetrics, registerSyncHealthMetrics, type RegistryHealth } from '../../../src/observability/metrics.js';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../deploy/monitoring');
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];
/** Series Prometheus itself provides. */
const PROMETHEUS_BUILTINS = new Set(['up']);

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Metric names a PromQL expression reads (identifiers followed by a selector, range or use). */
function metricsIn(expr: string): string[] {
  const withoutStrings = expr.replace(/"[^"]*"/g, '""');
  const names = new Set<string>();
  for (const m of withoutStrings.matchAll(/\b(mcpgw_[A-Za-z0-9_]+|up)\b(?=\s*[{[)\s]|$)/g)) names.add(m[1] as string);
  return [...names];
}

const health: RegistryHealth[] = [
  { name: 'official', type: 'upstream', phase: 'failed', lastSuccessMs: Date.parse('2026-01-01T00:00:00Z'), consecutiveFailures: 4, servers: 10, versions: 30, intervalSeconds: 3600 },
  { name: 'internal', type: 'managed', phase: 'complete', consecutiveFailures: 0, servers: 2, versions: 2 },
];

async function exported(): Promise<{ names: Set<string>; text: string }> {
  const metrics = createMetrics();
  registerSyncHealthMetrics(metrics.registry, { registries: async () => health, redisUp: async () => true });
  metrics.observe('GET', 'servers.list', 200, 0.01);
  const names = new Set<string>();
  for (const m of await metrics.registry.getMetricsAsJSON()) {
    names.add(m.name);
    if (String(m.type) === 'histogram') for (const s of HISTOGRAM_SUFFIXES) names.add(m.name + s);
  }
  return { names, text: await metrics.registry.metrics() };
}

describe('deploy/monitoring', () => {
  it('the sync-health gauges report each registry from the sync status', async () => {
    const { text } = await exported();
    assert.match(text, /^mcpgw_registry_last_success_timestamp_seconds\{registry="official"\} 1767225600$/m);
    assert.doesNotMatch(text, /mcpgw_registry_last_success_timestamp_seconds\{registry="internal"\}/, 'absent until a success');
    assert.match(text, /^mcpgw_registry_consecutive_failures\{registry="official"\} 4$/m);
    assert.match(text, /^mcpgw_registry_sync_phase\{registry="official",phase="failed"\} 1$/m);
    assert.match(text, /^mcpgw_registry_sync_phase\{registry="official",phase="complete"\} 0$/m);
    assert.match(text, /^mcpgw_registry_sync_interval_seconds\{registry="official"\} 3600$/m);
    assert.match(text, /^mcpgw_registry_servers\{registry="internal"\} 2$/m);
    assert.match(text, /^mcpgw_redis_up 1$/m);
  });

  it('reports only mcpgw_redis_up 0 when Redis is down', async () => {
    const metrics = createMetrics();
    registerSyncHealthMetrics(metrics.registry, { registries: async () => health, redisUp: async () => Promise.reject(new Error('ECONNREFUSED')) });
    const text = await metrics.registry.metrics();
    assert.match(text, /^mcpgw_redis_up 0$/m);
    assert.doesNotMatch(text, /mcpgw_registry_servers\{/);
  });

  it('alert rules are well-formed and cover the four required conditions', () => {
    const doc = parse(readFileSync(path.join(dir, 'prometheus-alerts.yaml'), 'utf8')) as { groups: Array<{ name: string; rules: Rule[] }> };
    const rules = doc.groups.flatMap((g) => g.rules);
    for (const r of rules) {
      assert.ok(r.alert && r.expr && r.for && r.labels?.severity && r.annotations?.summary, `rule ${r.alert} has alert, expr, for, severity, summary`);
    }
    const byMetric = (name: string) => rules.some((r) => r.expr.includes(name));
    assert.ok(byMetric('mcpgw_registry_consecutive_failures'), 'registry failing N times');
    assert.ok(rules.some((r) => r.expr.includes('mcpgw_registry_last_success_timestamp_seconds') && r.expr.includes('2 * ')), 'not synced within 2x the interval');
    assert.ok(rules.some((r) => r.expr.includes('status=~"5.."')), 'API 5xx rate');
    assert.ok(byMetric('mcpgw_redis_up'), 'Redis down');
  });

  it('alert rules and the dashboard only reference metrics the gateway exports', async () => {
    const { names } = await exported();
    const alerts = parse(readFileSync(path.join(dir, 'prometheus-alerts.yaml'), 'utf8')) as { groups: Array<{ rules: Rule[] }> };
    const dashboard = JSON.parse(readFileSync(path.join(dir, 'grafana-dashboard.json'), 'utf8')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
    const exprs = [
      ...alerts.groups.flatMap((g) => g.rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr }))),
      ...dashboard.panels.flatMap((p) => p.targets.map((t) => ({ where: `panel "${p.title}"`, expr: t.expr }))),
    ];
    assert.ok(exprs.length >= 15);
    for (const { where, expr } of exprs) {
      const used = metricsIn(expr);
      assert.ok(used.length > 0, `${where} reads some metric: ${expr}`);
      for (const m of used) assert.ok(names.has(m) || PROMETHEUS_BUILTINS.has(m), `${where} uses ${m}, which the gateway does not export`);
    }
  });

  it('the checker itself catches an unknown metric', async () => {
    const { names } = await exported();
    assert.deepEqual(metricsIn('rate(mcpgw_no_such_metric_total[5m]) > 1').filter((m) => !names.has(m)), ['mcpgw_no_such_metric_total']);
  });
});
