import type { Redis } from 'ioredis';
import { bodyField, type Keys } from './keys.js';
import { isLive } from './merge.js';
import { parseStoredName } from './storedName.js';

const SEEN_TTL_S = 86_400;
const SWEEP_BATCH = 500;

/**
 * One full walk of a registry's source (Backstage's "full mutation"): the source marks every
 * `(name, version)` it still offers while it writes pages, and only after a complete walk does
 * {@link sweep} remove what was not marked. An abandoned walk removes nothing ({@link discard}).
 */
export class FullSnapshot {
  private readonly seenKey: string;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly registry: string,
    runId: string,
    private readonly remove: (targets: ReadonlyMap<string, ReadonlySet<string> | null>) => Promise<number>,
  ) {
    this.seenKey = keys.syncSeen(registry, runId);
  }

  /** Records versions the source offers (including entries it offers but the gateway skipped). */
  async markSeen(refs: ReadonlyArray<{ name: string; version: string }>): Promise<void> {
    if (refs.length === 0) return;
    const fields = refs.map((r) => bodyField(r.name, r.version));
    await this.redis.multi().sadd(this.seenKey, ...fields).expire(this.seenKey, SEEN_TTL_S).exec();
  }

  /**
   * After a complete walk: removes every live version the walk did not mark, then sets the
   * registry's counters to the totals just established (repairing any drift).
   * @returns how many names changed
   */
  async sweep(): Promise<number> {
    let removed = 0;
    let names = 0;
    let versions = 0;
    let targets = new Map<string, Set<string> | null>();
    const flush = async () => {
      if (targets.size === 0) return;
      removed += await this.remove(targets);
      targets = new Map();
    };
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.keys.meta(this.registry), cursor, 'COUNT', 1000);
      cursor = next;
      const chunk: Array<[string, string[]]> = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const live = parseStoredName(flat[i + 1]).v.filter(isLive).map((r) => r.version);
        if (live.length > 0) chunk.push([flat[i] as string, live]);
      }
      const pipeline = this.redis.pipeline();
      for (const [name, live] of chunk) pipeline.smismember(this.seenKey, ...live.map((v) => bodyField(name, v)));
      const replies = (await pipeline.exec()) ?? [];
      chunk.forEach(([name, live], i) => {
        const [err, flags] = replies[i] ?? [null, []];
        if (err) throw err;
        const missing = live.filter((_, j) => (flags as number[])[j] !== 1);
        if (missing.length < live.length) names++;
        versions += live.length - missing.length;
        if (missing.length > 0) targets.set(name, new Set(missing));
      });
      if (targets.size >= SWEEP_BATCH) await flush();
    } while (cursor !== '0');
    await flush();
    await this.redis.hset(this.keys.counts, `${this.registry}:names`, names, `${this.registry}:versions`, versions);
    await this.discard();
    return removed;
  }

  /** Forgets the marks (after a sweep, or when the walk failed). */
  async discard(): Promise<void> {
    await this.redis.del(this.seenKey);
  }
}
