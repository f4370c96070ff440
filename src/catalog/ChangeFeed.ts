import { DomainError, InputError } from '../errors.js';
import type { CatalogStore } from './CatalogStore.js';
import { feedRows } from './feedRows.js';
import type { ReadModelFollower } from './ReadModelFollower.js';
import type { RowRenderer } from './RowRenderer.js';
import type { Scope, Visibility } from './visibility.js';

/** An opaque, increasing feed position (string): encodes (updatedAt in µs, name, version). */
export type FeedPosition = string;

/** One change: its position and the row exactly as the list route renders it for the caller. */
export interface FeedItem {
  id: FeedPosition;
  /** One `{server,_meta}` JSON exactly as the list route renders it for this caller. */
  row: Buffer;
}

/** A batch of changes and where to continue. */
export interface FeedBatch {
  items: FeedItem[];
  /** Position to continue from (last item's id, or the input). */
  next: FeedPosition;
}

/**
 * The catalogue's change feed: the push form of `updated_since` (DESIGN §3 "Change events"). Used by
 * the events route, webhook delivery and nothing else; implementations may change, this interface
 * stays.
 */
export interface ChangeFeed {
  /**
   * Rows visible to `view` in `scope` whose change key (updatedAt, name, version) is > `after`, in
   * that order; at most `limit`. `after` undefined = from the beginning.
   * @throws PositionExpiredError (code FEED_POSITION_EXPIRED) when `after` is older than the
   * retention: the client must re-list (SSE `event: reset`).
   */
  read(view: Visibility, scope: Scope, after: FeedPosition | undefined, limit: number): Promise<FeedBatch>;
  /** The position just before every change after time `us` (µs since the epoch; for ?updated_since=T). */
  positionAt(us: number): FeedPosition;
  /** The position of the newest change now (a subscriber that wants only future events). */
  head(): Promise<FeedPosition>;
  /**
   * Resolves when the catalogue may have changed since the call (any replica's write), or after
   * timeoutMs, or when signal aborts. One Redis waiter per process, shared by all subscribers.
   */
  waitForChange(timeoutMs: number, signal?: AbortSignal): Promise<void>;
}

/** 410-like condition: a feed position is older than the retention; the client must re-list. */
export class PositionExpiredError extends DomainError {
  readonly code = 'FEED_POSITION_EXPIRED';
  readonly status = 410;
}

interface DecodedPosition {
  us: number;
  name: string;
  version: string;
}

const POSITION_PREFIX = 'p1.';
/** Sorts after every name: a position "after everything at this time". */
const AFTER_ALL_NAMES = '\u{10FFFF}';

/** Encodes a position (exported for tests of the codec only through the public helpers below). */
function encodePosition(p: DecodedPosition): FeedPosition {
  return POSITION_PREFIX + Buffer.from(JSON.stringify([p.us, p.name, p.version])).toString('base64url');
}

/**
 * Decodes a client-supplied position.
 * @throws InputError (400) when it is not one this gateway issued.
 */
export function decodePosition(raw: string): DecodedPosition {
  const bad = () =>
    new InputError('Invalid event position: use an id received from this gateway (Last-Event-ID or ?since=)', {
      errors: [{ message: 'not an event id issued by this gateway', location: 'query.since', value: raw.slice(0, 64) }],
    });
  if (!raw.startsWith(POSITION_PREFIX) || raw.length > 4096) throw bad();
  try {
    const v = JSON.parse(Buffer.from(raw.slice(POSITION_PREFIX.length), 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 3 && Number.isSafeInteger(v[0]) && (v[0] as number) >= 0 && typeof v[1] === 'string' && typeof v[2] === 'string') {
      return { us: v[0] as number, name: v[1], version: v[2] };
    }
  } catch {
    // fall through
  }
  throw bad();
}

/** The change time (ms) a position stands for. @throws InputError for a foreign position. */
export function positionTimeMs(p: FeedPosition): number {
  return Math.floor(decodePosition(p).us / 1000);
}

/** Dependencies of {@link ModelChangeFeed}. */
export interface ModelChangeFeedDeps {
  follower: ReadModelFollower;
  renderer: RowRenderer;
  /** A store on a dedicated connection for the blocking waiter (XREAD BLOCK). */
  waiterStore: CatalogStore;
  /** Resume positions older than this (ms) are expired (`events.retention`). */
  retentionMs: number;
  /** Tombstones served as changed longer ago are forgotten (`catalog.tombstoneRetention`, ms). */
  tombstoneRetentionMs: number;
  clock?: () => number;
}

const WAIT_BLOCK_MS = 5000;

/**
 * The change feed over the read model: a read resolves exactly the rows the `updated_since`
 * listing shows this caller (same resolution, visibility and tombstones), ordered by (served time,
 * name, version). Every row's time is the commit time of a write to its name, so only names
 * written after the position are considered — taken from the follower's change log, or, for a
 * position older than the log, from a scan of names whose latest time is later. Wake-ups come
 * from one blocking XREAD per process, shared by every subscriber.
 */
export class ModelChangeFeed implements ChangeFeed {
  private readonly waiters = new Set<() => void>();
  private lastStreamId: string | undefined;
  private running = false;
  private stopped = false;
  private readonly clock: () => number;

  constructor(private readonly deps: ModelChangeFeedDeps) {
    this.clock = deps.clock ?? Date.now;
  }

  async read(view: Visibility, scope: Scope, after: FeedPosition | undefined, limit: number): Promise<FeedBatch> {
    const from = after === undefined ? { us: 0, name: '', version: '' } : decodePosition(after);
    // Time 0 is the beginning (a read from nothing), which never expires.
    if (from.us > 0 && from.us / 1000 < this.clock() - this.deps.retentionMs) {
      throw new PositionExpiredError('This event position is older than the retention; re-list with GET /v0.1/servers and subscribe again.');
    }
    const { follower, renderer } = this.deps;
    await follower.ensureFresh();
    const cutoffUs = (this.clock() - this.deps.tombstoneRetentionMs) * 1000;
    const rows = feedRows(follower.model, view, scope, { timeUs: from.us, name: from.name, version: from.version }, limit, cutoffUs, follower.changedSince(from.us));
    const bodies = await renderer.renderEach(rows);
    const items: FeedItem[] = [];
    let next = after ?? encodePosition(from);
    rows.forEach((row, i) => {
      next = encodePosition({ us: row.timeUs, name: row.name, version: row.version });
      const body = bodies[i];
      if (body) items.push({ id: next, row: body });
    });
    return { items, next };
  }

  positionAt(us: number): FeedPosition {
    return encodePosition({ us: Math.floor(us), name: AFTER_ALL_NAMES, version: '' });
  }

  async head(): Promise<FeedPosition> {
    await this.deps.follower.ensureFresh();
    return encodePosition({ us: this.deps.follower.appliedTimeUs, name: AFTER_ALL_NAMES, version: '' });
  }

  waitForChange(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      if (signal?.aborted) return done();
      signal?.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
      this.startWaiter();
    });
  }

  /** Stops the waiter loop and wakes every waiter (shutdown). */
  close(): void {
    this.stopped = true;
    for (const w of [...this.waiters]) w();
    this.deps.waiterStore.disconnect();
  }

  private startWaiter(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    void this.loop().finally(() => {
      this.running = false;
    });
  }

  private async loop(): Promise<void> {
    const store = this.deps.waiterStore;
    while (!this.stopped && this.waiters.size > 0) {
      try {
        this.lastStreamId ??= await store.headId();
        const id = await store.waitForChange(this.lastStreamId, WAIT_BLOCK_MS);
        if (id === this.lastStreamId) continue;
        // Woken once per burst: the newest id, not one wake-up per change.
        this.lastStreamId = id;
        for (const w of [...this.waiters]) w();
      } catch {
        if (this.stopped) return;
        // Redis unreachable: waiters time out on their own and their reads answer 503.
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
}
