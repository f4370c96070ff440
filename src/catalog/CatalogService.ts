import { NotFoundError } from '../errors.js';
import type { CatalogStore, StoredEntry } from './CatalogStore.js';
import { EntryCache } from './EntryCache.js';
import { HeadProbe } from './HeadProbe.js';
import { PlanCache } from './PlanCache.js';
import { entityTag, noneMatch } from './entityTag.js';
import type { CursorCodec } from './cursor.js';
import { findVersion, listRows, listVersions, type ListFilter, type Row } from './listing.js';
import type { ReadModelFollower } from './ReadModelFollower.js';
import { RowRenderer } from './RowRenderer.js';
import type { Scope, Visibility } from './visibility.js';

/** A read's answer: its entity tag, and its body unless the caller's copy is current (a 304). */
export interface Reply {
  etag: string;
  /** Null when `If-None-Match` matched: nothing was fetched or assembled. */
  body: Buffer | null;
}

/** Validated parameters of a list request. */
export interface ListParams extends ListFilter {
  cursor?: string;
  limit: number;
}

const SERVER_NOT_FOUND = 'Server not found';

/** A read planned on the read model: its rows, its tag, and how to wrap the rendered items. */
interface Planned {
  rows: readonly Row[];
  etag: string;
  /** The response body from the rendered items (null: nothing left to serve, a "not found"). */
  build(chunks: Buffer[], count: number): Buffer | null;
}

/**
 * Read side of the catalogue: answers list, versions and detail queries for a caller's view and
 * renders the official v0.1 envelopes. Bodies are stored pre-serialised and spliced into the JSON
 * text unparsed.
 */
export class CatalogService {
  /**
   * @param tombstoneRetentionMs removed and displaced versions served as changed longer ago than
   *   this are no longer shown (config `catalog.tombstoneRetention`)
   * @param cache served entries kept by this replica (default: none)
   */
  constructor(
    private readonly follower: ReadModelFollower,
    private readonly store: CatalogStore,
    private readonly cursors: CursorCodec,
    private readonly tombstoneRetentionMs: number,
    private readonly cache: EntryCache = new EntryCache(0),
    private readonly clock: () => number = Date.now,
  ) {
    this.renderer = new RowRenderer(() => this.follower.model, store);
    this.probe = new HeadProbe(() => store.headId());
    this.plans = new PlanCache(() => `${this.follower.appliedId}\u0000${this.cutoffUs()}`);
  }

  private readonly plans: PlanCache<Planned>;

  private readonly probe: HeadProbe;

  /** Renders rows as list routes show them (shared with change feeds). */
  readonly renderer: RowRenderer;

  private get model() {
    return this.follower.model;
  }

  /**
   * The scope for a route: aggregated, or one registry the caller may see.
   * @throws NotFoundError when the registry does not exist or is invisible to the caller.
   */
  scopeFor(view: Visibility, registryName?: string): Scope {
    if (registryName === undefined) return { kind: 'aggregate' };
    const i = this.model.indexOf(registryName);
    if (i === undefined || !view.registries.includes(i)) {
      throw new NotFoundError(`Registry "${registryName}" not found. GET /v0.1/servers lists the aggregated catalogue.`);
    }
    return { kind: 'registry', index: i };
  }

  /**
   * `GET /v0.1/servers`: a page of rows as the official list envelope (JSON text).
   * @param ifNoneMatch the request's `If-None-Match`: when it matches, no body is assembled
   */
  async listServers(view: Visibility, scope: Scope, params: ListParams, ifNoneMatch?: string): Promise<Reply> {
    const scopeKey = this.scopeKey(scope);
    const key = `list\u0000${scopeKey}\u0000${params.limit}\u0000${params.includeDeleted}\u0000${params.search ?? ''}\u0000${params.version ?? ''}\u0000${params.updatedSinceUs ?? ''}\u0000${params.cursor ?? ''}`;
    const reply = await this.answer(ifNoneMatch, () =>
      this.plans.plan(view, key, () => {
        const after = params.cursor ? this.cursors.decode(scopeKey, params.cursor) : undefined;
        const page = listRows(this.model, view, scope, params, params.limit, this.cutoffUs(), after);
        const nextCursor = page.next ? this.cursors.encode(scopeKey, page.next) : undefined;
        return {
          rows: page.rows,
          etag: this.tag(page.rows, `list\u0000${nextCursor ?? ''}`),
          build: (chunks, count) => envelope(chunks, nextCursor ? { count, nextCursor } : { count }),
        };
      }),
    );
    return reply as Reply;
  }

  /**
   * `GET .../servers/{name}/versions`: every visible version, newest first.
   * @throws NotFoundError when the caller can see no version of the server.
   */
  async listVersions(view: Visibility, scope: Scope, name: string, includeDeleted: boolean, ifNoneMatch?: string): Promise<Reply> {
    const reply = await this.answer(ifNoneMatch, () =>
      this.plans.plan(view, `versions\u0000${this.scopeKey(scope)}\u0000${name}\u0000${includeDeleted}`, () => {
        const rows = listVersions(this.model, view, scope, name, includeDeleted, this.cutoffUs());
        return rows && { rows, etag: this.tag(rows, 'versions'), build: (chunks, count) => envelope(chunks, { count }) };
      }),
    );
    if (!reply) throw new NotFoundError(SERVER_NOT_FOUND);
    return reply;
  }

  /**
   * `GET .../servers/{name}/versions/{version}`: one version, `latest` allowed.
   * @throws NotFoundError when not visible.
   */
  async getVersion(view: Visibility, scope: Scope, name: string, version: string, includeDeleted: boolean, ifNoneMatch?: string): Promise<Reply> {
    const reply = await this.answer(ifNoneMatch, () =>
      this.plans.plan(view, `detail\u0000${this.scopeKey(scope)}\u0000${name}\u0000${version}\u0000${includeDeleted}`, () => {
        const row = findVersion(this.model, view, scope, name, version, includeDeleted, this.cutoffUs());
        return row && { rows: [row], etag: this.tag([row], 'detail'), build: (chunks, count) => (count === 0 ? null : Buffer.concat(chunks)) };
      }),
    );
    if (!reply) throw new NotFoundError(SERVER_NOT_FOUND);
    return reply;
  }

  /**
   * Answers a read from a current read model: `plan` works on the model as it is; the page's
   * entries come from the entry cache or one pipelined fetch, followed by a probe of the change
   * stream's newest id (shared by concurrent reads, see {@link HeadProbe}). Only when that moved past
   * what the model has applied is the model brought up to date and the read planned again
   * (read-your-writes across replicas, without a round trip per request just to ask). A third
   * attempt refreshes first and takes what it gets. Store failures become 503s where the store is
   * handed in (`guardedStore` in the composition root), not here.
   * @returns undefined when nothing is visible (a current "not found")
   */
  private async answer(ifNoneMatch: string | undefined, plan: () => Planned | undefined): Promise<Reply | undefined> {
    for (let attempt = 0; ; attempt++) {
      const final = attempt === 2;
      if (final) await this.follower.ensureFresh();
      const seen = this.follower.appliedId;
      const planned = plan();
      if (!planned || noneMatch(ifNoneMatch, planned.etag)) {
        if (final || (await this.probe.head()) === seen) return planned && { etag: planned.etag, body: null };
      } else {
        const fetched = this.fetch(planned.rows);
        const head = this.probe.head();
        const [entries, headId] = await Promise.all([fetched, head]);
        if (final || headId === seen) {
          entries.keep();
          const { chunks, count } = this.renderer.assemble(planned.rows, entries.entries);
          const body = planned.build(chunks, count);
          return body ? { etag: planned.etag, body } : undefined;
        }
      }
      await this.follower.ensureFresh();
    }
  }

  /**
   * The rows' entries, from the cache where it holds them for the model's current record of the
   * name, else from the store (sent before the caller's head probe, on the same connection). `keep`
   * caches what was fetched, for the records the rows were planned on: call it only once the probe
   * proved the fetch saw the state the model describes.
   */
  private async fetch(rows: readonly Row[]): Promise<{ entries: Array<StoredEntry | null>; keep(): void }> {
    const entries: Array<StoredEntry | null | undefined> = rows.map((r) => this.cache.get(r.record, r.version));
    const missing: number[] = [];
    entries.forEach((e, i) => e === undefined && missing.push(i));
    const rowsMissing = missing.map((i) => rows[i] as Row);
    const got = missing.length === 0 ? [] : await this.store.getEntries(this.renderer.refs(rowsMissing));
    missing.forEach((i, j) => (entries[i] = got[j] ?? null));
    return {
      entries: entries as Array<StoredEntry | null>,
      keep: () =>
        missing.forEach((i, j) => {
          const row = rows[i] as Row;
          const entry = got[j];
          if (entry) this.cache.set(row.record, row.version, entry);
        }),
    };
  }

  /**
   * One stored version of one registry, whatever its status, as `{server, _meta}` — the response of
   * a write. Rendered without `alsoIn` (the writer's view of other registries is not consulted).
   * @throws NotFoundError when it does not exist.
   */
  async getStored(registry: string, name: string, version: string): Promise<Buffer> {
    const i = this.model.indexOf(registry);
    if (i === undefined) throw new NotFoundError(SERVER_NOT_FOUND);
    const only: Visibility = { admin: false, registries: [i], canSee: () => true };
    return (await this.getVersion(only, { kind: 'registry', index: i }, name, version, true)).body as Buffer;
  }

  private tag(rows: readonly Row[], extra: string): string {
    return entityTag(this.model, rows, extra);
  }

  /**
   * Rows served as changed before this (µs) are forgotten tombstones. Whole seconds, so that every
   * read within one second plans with the same cutoff (and a planned read can be reused).
   */
  cutoffUs(): number {
    return Math.floor((this.clock() - this.tombstoneRetentionMs) / 1000) * 1_000_000;
  }

  private scopeKey(scope: Scope): string {
    return scope.kind === 'aggregate' ? 'aggregate' : `registry:${this.model.registries[scope.index] as string}`;
  }

}

const LIST_OPEN = Buffer.from('{"servers":[');

/** `{"servers":[...],"metadata":{...}}` around already-rendered item chunks. */
function envelope(chunks: Buffer[], metadata: { count: number; nextCursor?: string }): Buffer {
  return Buffer.concat([LIST_OPEN, ...chunks, Buffer.from(`],"metadata":${JSON.stringify(metadata)}}`)]);
}
