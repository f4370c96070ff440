import autocannon from 'autocannon';
import { median } from './processes.js';

/** One measured load run. */
export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/**
 * Runs autocannon against `base` with paths from `nextPath`, `runs` times, and reports the median
 * of each figure. Fails if any response was not 2xx (a benchmark of errors measures nothing).
 */
export async function measure(
  base: string,
  next: () => string | { path: string; headers: Record<string, string> },
  options: { connections: number; seconds: number; runs: number; headers?: Record<string, string>; expect?: 200 | 304 },
): Promise<LoadResult> {
  const runs: LoadResult[] = [];
  for (let i = 0; i < options.runs; i++) {
    const r = await autocannon({
      url: base,
      connections: options.connections,
      duration: options.seconds,
      headers: options.headers ?? {},
      requests: [
        {
          setupRequest: (req) => {
            const n = next();
            return typeof n === 'string' ? { ...req, path: n } : { ...req, path: n.path, headers: { ...req.headers, ...n.headers } };
          },
        },
      ],
    });
    const unexpected = options.expect === 304 ? r['1xx'] + r['2xx'] + r['4xx'] + r['5xx'] : r.non2xx;
    const errors = r.errors + r.timeouts + unexpected;
    if (errors > 0) throw new Error(`load run against ${base} had ${errors} failed requests (unexpected status ${unexpected}, errors ${r.errors})`);
    runs.push({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors });
  }
  return {
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    errors: 0,
  };
}
