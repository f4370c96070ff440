import type { UpstreamSync } from '../src/sync/UpstreamSync.js';
import type { UpstreamProcess } from './processes.js';

/**
 * Times `times` incremental syncs, each after 100 changes at the upstream (ms per run).
 * @throws when a run does not complete as an incremental sync.
 */
export async function incrementalRuns(sync: UpstreamSync, upstream: UpstreamProcess, times: number): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    await new Promise((r) => setTimeout(r, 5));
    await upstream.mutate(100);
    const t0 = performance.now();
    const s = await sync.run();
    ms.push(performance.now() - t0);
    if (s?.phase !== 'complete' || s.lastRunMode !== 'incremental') throw new Error(`incremental sync failed: ${s?.message}`);
  }
  return ms;
}
