import type { Redis } from 'ioredis';
import type { CallerView } from '../access/AccessPolicy.js';
import { DomainError, InputError } from '../errors.js';
import type { CatalogIndex } from './CatalogIndex.js';
import type { CatalogStore } from './CatalogStore.js';
import { alsoIn, listRows, type Row, type Scope } from './listing.js';
import { pushItem } from './render.js';
import { compareStrings } from './sortedStrings.js';
import type { VersionRecord } from './types.js';

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
  read(view: CallerView, scope: Scope, after: FeedPosition | undefined, limit: number): Promise<FeedBatch>;
  /** The position just before every change after time `ms` (for ?updated_since=T). */
  positionAt(ms: number): FeedPosition;
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

function compareKeys(a: DecodedPosition, b: DecodedPosition): number {
  return a.us - b.us || compareStrings(a.name, b.name) || compareStrings(a.version, b.version);
}

/** Dependencies of {@link ListingChangeFeed}. */
export interface ListingChangeFeedDeps {
  index: CatalogIndex;
  store: CatalogStore;
  /** A dedicated connection for the blocking waiter (XREAD BLOCK); not shared with commands. */
  waiterRedis: Redis;
  /** Positions older than this (ms) are expired. */
  retentionMs: number;
}

const TOMBSTONE_MESSAGE = 'no longer served from this registry: the name is now served by another one';

/**
 * A simple ChangeFeed over the listing code: each read scans the rows changed since the position's
 * millisecond (`listRows` with `updatedSinceMs`), orders them by (updatedAt, name, version) and keeps
 * those after the position. Correct, not efficient for deep replays (each batch rescans); the
 * catalog rewrite replaces the internals. Wake-ups come from the index's change stream, read by one
 * blocking XREAD per process.
 */
export class ListingChangeFeed implements ChangeFeed {
  private waiters = new Set<() => void>();
  private lastStreamId: string | undefined;
  private running = false;
  private stopped = false;

  constructor(private readonly deps: ListingChangeFeedDeps) {}

  async read(view: CallerView, scope: Scope, after: FeedPosition | undefined, limit: number): Promise<FeedBatch> {
    const { index } = this.deps;
    const from = after === undefined ? undefined : decodePosition(after);
    // Time 0 is the beginning (a read from nothing), which never expires.
    if (from && from.us > 0 && from.us / 1000 < Date.now() - this.deps.retentionMs) {
      throw new PositionExpiredError('This event position is older than the retention; re-list with GET /v0.1/servers and subscribe again.');
    }
    await index.ensureFresh();
    const sinceMs = from ? Math.floor(from.us / 1000) - 1 : undefined;
    const page = listRows(index, view, scope, { includeDeleted: true, ...(sinceMs !== undefined ? { updatedSinceMs: sinceMs } : {}) }, Number.MAX_SAFE_INTEGER);
    const keyed: Array<{ row: Row; key: DecodedPosition }> = [];
    for (const row of page.rows) {
      const key = { us: this.changeMs(scope, row) * 1000, name: row.name, version: row.version };
      if (!from || compareKeys(key, from) > 0) keyed.push({ row, key });
    }
    keyed.sort((a, b) => compareKeys(a.key, b.key));
    const picked = keyed.slice(0, limit);
    const bodies = await this.render(view, picked.map((k) => k.row));
    const items: FeedItem[] = [];
    picked.forEach((k, i) => {
      const body = bodies[i];
      if (body) items.push({ id: encodePosition(k.key), row: body });
    });
    const last = picked[picked.length - 1];
    return { items, next: last ? encodePosition(last.key) : (after ?? encodePosition({ us: 0, name: '', version: '' })) };
  }

  positionAt(ms: number): FeedPosition {
    return encodePosition({ us: Math.floor(ms) * 1000, name: AFTER_ALL_NAMES, version: '' });
  }

  async head(): Promise<FeedPosition> {
    const { index } = this.deps;
    await index.ensureFresh();
    let max = 0;
    for (let i = 0; i < index.names.length; i++) max = Math.max(max, index.unionChangeAt(i));
    return this.positionAt(max);
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
    this.deps.waiterRedis.disconnect();
  }

  /** The key time of a row: its own change time, or the name's ownership change if later. */
  private changeMs(scope: Scope, row: Row): number {
    const { index } = this.deps;
    const owned = scope.kind === 'aggregate' ? index.ownershipChangedMs(row.name) : 0;
    if (row.tombstoneMs !== undefined) return Math.max(row.tombstoneMs, owned);
    const entry = index.registry(row.registry).byName.get(row.name);
    const k = entry ? entry.versions.indexOf(row.version) : -1;
    const t = k >= 0 && entry ? (entry.times[2 * k] as number) : 0;
    return Math.max(t, owned);
  }

  private async render(view: CallerView, rows: readonly Row[]): Promise<Array<Buffer | undefined>> {
    const { index, store } = this.deps;
    const entries = await store.getEntries(
      rows.map((r) => ({
        registry: index.registries[r.registry] as string,
        name: r.name,
        version: r.version,
        ...(r.tombstoneMs !== undefined ? { override: tombstone(r.tombstoneMs) } : {}),
      })),
    );
    return rows.map((row, i) => {
      const entry = entries[i];
      if (!entry) return undefined;
      const chunks: Buffer[] = [];
      pushItem(chunks, entry.body, entry.metaPrefix, alsoIn(index, view, row.registry, row.name).map((k) => index.registries[k] as string));
      return Buffer.concat(chunks);
    });
  }

  /** One blocking XREAD loop per process; wakes every waiter when the change stream grows. */
  private startWaiter(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    void this.loop().finally(() => {
      this.running = false;
    });
  }

  private async loop(): Promise<void> {
    const redis = this.deps.waiterRedis;
    const key = this.deps.store.keys.changes;
    while (!this.stopped) {
      try {
        if (this.lastStreamId === undefined) {
          const last = (await redis.xrevrange(key, '+', '-', 'COUNT', 1)) as Array<[string, string[]]>;
          this.lastStreamId = last[0]?.[0] ?? '0-0';
        }
        const got = (await redis.xread('COUNT', 1, 'BLOCK', 5000, 'STREAMS', key, this.lastStreamId)) as Array<[string, Array<[string, string[]]>]> | null;
        if (!got) continue;
        // Skip to the newest id before waking, so one burst costs one wake-up, not one per change.
        const last = (await redis.xrevrange(key, '+', '-', 'COUNT', 1)) as Array<[string, string[]]>;
        this.lastStreamId = last[0]?.[0] ?? got[0]?.[1][0]?.[0] ?? this.lastStreamId;
        for (const w of [...this.waiters]) w();
      } catch {
        if (this.stopped) return;
        // Redis unreachable: waiters time out on their own and their reads answer 503.
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
}

function tombstone(ms: number): Partial<VersionRecord> {
  const at = new Date(ms).toISOString();
  return { status: 'deleted', isLatest: false, updatedAt: at, statusChangedAt: at, statusMessage: TOMBSTONE_MESSAGE };
}
