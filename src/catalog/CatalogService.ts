import { NotFoundError } from '../errors.js';
import type { CatalogStore, StoredEntry } from './CatalogStore.js';
import { formatMicros } from './clock.js';
import { entityTag, noneMatch } from './entityTag.js';
import type { CursorCodec } from './cursor.js';
import { alsoIn, findVersion, listRows, listVersions, type ListFilter, type Row } from './listing.js';
import type { ReadModelFollower } from './ReadModelFollower.js';
import { pushItem, reshapeMetaPrefix } from './render.js';
import { guardStore } from './storeUnavailable.js';
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

/**
 * Read side of the catalogue: answers list, versions and detail queries for a caller's view and
 * renders the official v0.1 envelopes. Bodies are stored pre-serialised and spliced into the JSON
 * text unparsed.
 */
export class CatalogService {
  /**
   * @param tombstoneRetentionMs removed and displaced versions served as changed longer ago than
   *   this are no longer shown (config `catalog.tombstoneRetention`)
   */
  constructor(
    private readonly follower: ReadModelFollower,
    private readonly store: CatalogStore,
    private readonly cursors: CursorCodec,
    private readonly tombstoneRetentionMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

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
    const after = params.cursor ? this.cursors.decode(scopeKey, params.cursor) : undefined;
    return guardStore(async () => {
      await this.follower.ensureFresh();
      const page = listRows(this.model, view, scope, params, params.limit, this.cutoffUs(), after);
      const nextCursor = page.next ? this.cursors.encode(scopeKey, page.next) : undefined;
      const etag = this.tag(view, page.rows, `list\u0000${nextCursor ?? ''}`);
      if (noneMatch(ifNoneMatch, etag)) return { etag, body: null };
      const { chunks, count } = await this.render(view, page.rows);
      const metadata: { count: number; nextCursor?: string } = { count };
      if (nextCursor) metadata.nextCursor = nextCursor;
      return { etag, body: envelope(chunks, metadata) };
    });
  }

  /**
   * `GET .../servers/{name}/versions`: every visible version, newest first.
   * @throws NotFoundError when the caller can see no version of the server.
   */
  async listVersions(view: Visibility, scope: Scope, name: string, includeDeleted: boolean, ifNoneMatch?: string): Promise<Reply> {
    return guardStore(async () => {
      await this.follower.ensureFresh();
      const rows = listVersions(this.model, view, scope, name, includeDeleted, this.cutoffUs());
      if (!rows) throw new NotFoundError(SERVER_NOT_FOUND);
      const etag = this.tag(view, rows, 'versions');
      if (noneMatch(ifNoneMatch, etag)) return { etag, body: null };
      const { chunks, count } = await this.render(view, rows);
      return { etag, body: envelope(chunks, { count }) };
    });
  }

  /**
   * `GET .../servers/{name}/versions/{version}`: one version, `latest` allowed.
   * @throws NotFoundError when not visible.
   */
  async getVersion(view: Visibility, scope: Scope, name: string, version: string, includeDeleted: boolean, ifNoneMatch?: string): Promise<Reply> {
    return guardStore(async () => {
      await this.follower.ensureFresh();
      const row = findVersion(this.model, view, scope, name, version, includeDeleted, this.cutoffUs());
      if (!row) throw new NotFoundError(SERVER_NOT_FOUND);
      const etag = this.tag(view, [row], 'detail');
      if (noneMatch(ifNoneMatch, etag)) return { etag, body: null };
      const { chunks, count } = await this.render(view, [row]);
      if (count === 0) throw new NotFoundError(SERVER_NOT_FOUND);
      return { etag, body: Buffer.concat(chunks) };
    });
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

  private tag(view: Visibility, rows: readonly Row[], extra: string): string {
    return entityTag(this.model, rows, (row) => alsoIn(this.model, view, row.registry, row.name), extra);
  }

  /** Rows served as changed before this (µs) are forgotten tombstones. */
  cutoffUs(): number {
    return (this.clock() - this.tombstoneRetentionMs) * 1000;
  }

  private scopeKey(scope: Scope): string {
    return scope.kind === 'aggregate' ? 'aggregate' : `registry:${this.model.registries[scope.index] as string}`;
  }

  /** `{server, _meta}` items of rows; a row whose body vanished meanwhile (a concurrent write) is left out. */
  async render(view: Visibility, rows: readonly Row[]): Promise<{ chunks: Buffer[]; count: number }> {
    const names = this.model.registries;
    const entries = await this.store.getEntries(rows.map((r) => ({ registry: names[r.registry] as string, name: r.name, version: r.version })));
    const chunks: Buffer[] = [];
    let count = 0;
    rows.forEach((row, i) => {
      const entry = entries[i];
      if (!entry) return;
      const also = alsoIn(this.model, view, row.registry, row.name).map((k) => names[k] as string);
      pushItem(chunks, entry.body, this.prefixOf(row, entry), also);
      count++;
    });
    return { chunks, count };
  }

  private prefixOf(row: Row, entry: StoredEntry): Buffer {
    if (!row.bumped && row.displacedBy === undefined) return entry.metaPrefix;
    const by = row.displacedBy === undefined ? undefined : (this.model.registries[row.displacedBy] as string);
    return reshapeMetaPrefix(entry.metaPrefix, formatMicros(row.timeUs), by);
  }
}

const LIST_OPEN = Buffer.from('{"servers":[');

/** `{"servers":[...],"metadata":{...}}` around already-rendered item chunks. */
function envelope(chunks: Buffer[], metadata: { count: number; nextCursor?: string }): Buffer {
  return Buffer.concat([LIST_OPEN, ...chunks, Buffer.from(`],"metadata":${JSON.stringify(metadata)}}`)]);
}
