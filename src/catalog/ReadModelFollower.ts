import type { Logger } from '../observability/logger.js';
import type { CatalogStore } from './CatalogStore.js';
import { ReadModel } from './ReadModel.js';
import type { StoredName } from './types.js';

const BATCH = 5000;
/** Most recent changes remembered for change feeds (older positions fall back to a full scan). */
const LOG_SIZE = 200_000;

/**
 * Loads the {@link ReadModel} from Redis and keeps it up to date by following the change stream
 * before each read, so every replica reads its own writes and every other replica's. API replicas
 * stay stateless: the model is derived state, rebuilt from Redis at start.
 */
export class ReadModelFollower {
  private current: ReadModel;
  private lastId = '0-0';
  private lastSeq = 0;
  private lastTimeUs = 0;
  /** Recent changes in commit order: times (µs) and names, and the time before which it is blind. */
  private logTimes: number[] = [];
  private logNames: string[] = [];
  private logFromUs = Number.POSITIVE_INFINITY;
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  /** @param registries registry names in priority order (config order) */
  constructor(
    private readonly store: CatalogStore,
    registries: readonly string[],
    private readonly logger?: Logger,
  ) {
    this.current = new ReadModel(registries);
  }

  /** The read model as of {@link appliedId}: a load replaces it whole, so hold it only within a read. */
  get model(): ReadModel {
    return this.current;
  }

  /** Id of the newest change event applied to the model ('0-0' before any). */
  get appliedId(): string {
    return this.lastId;
  }

  /** Commit time (µs) of the newest change applied to the model (0 before any). */
  get appliedTimeUs(): number {
    return this.lastTimeUs;
  }

  /**
   * Rebuilds the whole read model from Redis into a new model, batch by batch (each parsed batch is
   * garbage as soon as it is indexed, which bounds the start-up memory peak), then swaps it in;
   * reads meanwhile use the old one.
   */
  async load(): Promise<void> {
    const started = Date.now();
    const position = await this.store.changePosition();
    const next = new ReadModel(this.current.registries);
    for (const [i, registry] of next.registries.entries()) {
      for await (const chunk of this.store.scanRegistry(registry)) for (const [name, stored] of chunk) next.add(i, name, stored);
    }
    next.loaded();
    this.current = next;
    this.lastId = position.id;
    this.lastSeq = position.seq;
    this.lastTimeUs = position.timeUs;
    this.logTimes = [];
    this.logNames = [];
    this.logFromUs = position.timeUs;
    this.logger?.debug('catalog read model loaded', { names: next.namesOf().length, ms: Date.now() - started });
  }

  /**
   * Applies every change committed so far. Concurrent callers share work, but a caller never gets
   * a refresh that started before it asked (read-your-writes across replicas).
   * @throws the Redis error when Redis is unreachable.
   */
  ensureFresh(): Promise<void> {
    if (!this.running) {
      this.running = this.refresh().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    if (!this.queued) {
      this.queued = this.running
        .catch(() => undefined)
        .then(() => {
          this.queued = undefined;
          return this.ensureFresh();
        });
    }
    return this.queued;
  }

  /**
   * Names written at or after `timeUs` (µs) — a position inside one write still has that write's
   * other rows ahead of it — or undefined when the change log does not reach back that far (the
   * model was loaded later, or the log was trimmed): then every name must be considered.
   */
  changedSince(timeUs: number): Iterable<string> | undefined {
    if (timeUs < this.logFromUs) return undefined;
    let lo = 0;
    let hi = this.logTimes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.logTimes[mid] as number) < timeUs) lo = mid + 1;
      else hi = mid;
    }
    return new Set(this.logNames.slice(lo));
  }

  private remember(timeUs: number, name: string): void {
    this.logTimes.push(timeUs);
    this.logNames.push(name);
    if (this.logTimes.length > 2 * LOG_SIZE) {
      const drop = this.logTimes.length - LOG_SIZE;
      this.logFromUs = this.logTimes[drop - 1] as number;
      this.logTimes = this.logTimes.slice(drop);
      this.logNames = this.logNames.slice(drop);
    }
  }

  private async refresh(): Promise<void> {
    for (;;) {
      const { seq, events } = await this.store.changesAfter(this.lastId, BATCH);
      if (seq < this.lastSeq || (events.length > 0 && (events[0] as { seq: number }).seq !== this.lastSeq + 1)) {
        this.logger?.info('catalog change stream gap or Redis data loss; reloading the read model', { expected: this.lastSeq + 1, seq });
        await this.load();
        return;
      }
      if (events.length === 0) return;
      const touched = new Map<string, Set<string>>();
      for (const e of events) {
        this.remember(e.timeUs, e.name);
        if (this.model.indexOf(e.registry) === undefined) continue;
        let set = touched.get(e.registry);
        if (!set) touched.set(e.registry, (set = new Set()));
        set.add(e.name);
      }
      const fetched = await Promise.all([...touched].map(async ([registry, names]) => [registry, await this.store.readNames(registry, [...names])] as const));
      const changes: Array<{ registry: number; name: string; stored: StoredName | undefined }> = [];
      for (const [registry, states] of fetched) {
        const i = this.model.indexOf(registry) as number;
        for (const [name, stored] of states) changes.push({ registry: i, name, stored });
      }
      this.model.apply(changes);
      const last = events[events.length - 1] as { id: string; seq: number; timeUs: number };
      this.lastId = last.id;
      this.lastSeq = last.seq;
      this.lastTimeUs = Math.max(this.lastTimeUs, last.timeUs);
      if (events.length < BATCH) return;
    }
  }
}
