/** A problem found by a cross-field check. */
export interface CrossProblem {
  path: Array<string | number>;
  message: string;
}

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * Checks that span several keys (duplicate registry names, `publish.defaultRegistry`, registries
 * named by access rules, `auth.oidc` presence, page sizes, one Redis topology). Works on raw data as well as parsed
 * config, so a file with other errors still gets these reported too.
 */
export function crossCheck(raw: unknown): CrossProblem[] {
  const cfg = obj(raw);
  const out: CrossProblem[] = [];
  const seen = new Map<string, number>();
  const registries = arr(cfg.registries).map(obj);
  registries.forEach((r, i) => {
    if (typeof r.name !== 'string') return;
    const first = seen.get(r.name);
    if (first !== undefined) out.push({ path: ['registries', i, 'name'], message: `duplicate registry name "${r.name}" (also registries[${first}])` });
    else seen.set(r.name, i);
  });
  const api = obj(cfg.api);
  const max = typeof api.maxPageSize === 'number' ? api.maxPageSize : 100;
  const def = typeof api.defaultPageSize === 'number' ? api.defaultPageSize : 30;
  if (def > max) out.push({ path: ['api', 'defaultPageSize'], message: `must not exceed api.maxPageSize (${max})` });
  const target = obj(cfg.publish).defaultRegistry;
  if (typeof target === 'string') {
    const found = registries.find((r) => r.name === target);
    if (!found) out.push({ path: ['publish', 'defaultRegistry'], message: `no registry named "${target}"` });
    else if (found.type !== 'managed') {
      out.push({ path: ['publish', 'defaultRegistry'], message: `"${target}" is a ${String(found.type)} registry; only managed registries accept publishes` });
    }
  }
  const redis = obj(cfg.redis);
  const topologies = (['url', 'sentinel', 'cluster'] as const).filter((k) => redis[k] !== undefined);
  if (topologies.length > 1) {
    out.push({ path: ['redis'], message: `set exactly one of url, sentinel, cluster (found ${topologies.join(' and ')}; env REDIS_URL sets url)` });
  }
  if (redis.tls !== undefined && typeof redis.url === 'string' && redis.url.startsWith('redis://')) {
    out.push({ path: ['redis', 'tls'], message: 'redis.url must use rediss:// for TLS' });
  }
  const auth = obj(cfg.auth);
  if (auth.mode === 'oidc' && auth.oidc === undefined) out.push({ path: ['auth', 'oidc'], message: 'required when auth.mode is oidc' });
  arr(obj(cfg.access).rules).forEach((rule, i) => {
    arr(obj(rule).registries).forEach((pattern, j) => {
      if (typeof pattern === 'string' && !pattern.includes('*') && !seen.has(pattern)) {
        out.push({ path: ['access', 'rules', i, 'registries', j], message: `no registry named "${pattern}"` });
      }
    });
  });
  return out;
}
