import type { CallerView } from '../access/AccessPolicy.js';
import { NotFoundError } from '../errors.js';
import type { CatalogIndex } from './CatalogIndex.js';
import type { CatalogStore } from './CatalogStore.js';
import type { CursorCodec } from './cursor.js';
import { alsoIn, findVersion, listRows, listVersions, type ListFilter, type Row, type Scope } from './listing.js';
import { guardStore } from './storeUnavailable.js';
import { pushItem } from './render.js';
import type { VersionRecord } from './types.js';

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
  constructor(
    private readonly index: CatalogIndex,
    private readonly store: CatalogStore,
    private readonly cursors: CursorCodec,
  ) {}

  /**
   * The scope for a route: aggregated, or one registry the caller may see.
   * @throws NotFoundError when the registry does not exist or is invisible to the caller.
   */
  scopeFor(view: CallerView, registryName?: string): Scope {
    if (registryName === undefined) return { kind: 'aggregate' };
    const i = this.index.indexOf(registryName);
    if (i === undefined || !view.registries.includes(i)) {
      throw new NotFoundError(`Registry "${registryName}" not found. GET /v0.1/servers lists the aggregated catalogue.`);
    }
    return { kind: 'registry', index: i };
  }

  /** `GET /v0.1/servers`: a page of rows as the official list envelope (JSON text). */
  async listServers(view: CallerView, scope: Scope, params: ListParams): Promise<Buffer> {
    const scopeKey = this.scopeKey(scope);
    const after = params.cursor ? this.cursors.decode(scopeKey, params.cursor) : undefined;
    return guardStore(async () => {
      await this.index.ensureFresh();
      const page = listRows(this.index, view, scope, params, params.limit, after);
      const { chunks, count } = await this.render(view, page.rows);
      const metadata: { count: number; nextCursor?: string } = { count };
      if (page.next) metadata.nextCursor = this.cursors.encode(scopeKey, page.next);
      return envelope(chunks, metadata);
    });
  }

  /**
   * `GET .../servers/{name}/versions`: every visible version, newest first.
   * @throws NotFoundError when the caller can see no version of the server.
   */
  async listVersions(view: CallerView, scope: Scope, name: string, includeDeleted: boolean): Promise<Buffer> {
    return guardStore(async () => {
      await this.index.ensureFresh();
      const rows = listVersions(this.index, view, scope, name, includeDeleted);
      if (!rows) throw new NotFoundError(SERVER_NOT_FOUND);
      const { chunks, count } = await this.render(view, rows);
      return envelope(chunks, { count });
    });
  }

  /**
   * `GET .../servers/{name}/versions/{version}`: one version, `latest` allowed.
   * @throws NotFoundError when not visible.
   */
  async getVersion(view: CallerView, scope: Scope, name: string, version: string, includeDeleted: boolean): Promise<Buffer> {
    return guardStore(async () => {
      await this.index.ensureFresh();
      const row = findVersion(this.index, view, scope, name, version, includeDeleted);
      if (!row) throw new NotFoundError(SERVER_NOT_FOUND);
      const { chunks, count } = await this.render(view, [row]);
      if (count === 0) throw new NotFoundError(SERVER_NOT_FOUND);
      return Buffer.concat(chunks);
    });
  }

  /**
   * One stored version of one registry, whatever its status, as `{server, _meta}` — the response of
   * a write. Rendered without `alsoIn` (the writer's view of other registries is not consulted).
   * @throws NotFoundError when it does not exist.
   */
  async getStored(registry: string, name: string, version: string): Promise<Buffer> {
    const i = this.index.indexOf(registry);
    if (i === undefined) throw new NotFoundError(SERVER_NOT_FOUND);
    const only: CallerView = { admin: false, registries: [i], canSee: () => true, canPublish: () => false, hasPublishRules: () => false };
    return this.getVersion(only, { kind: 'registry', index: i }, name, version, true);
  }

  private scopeKey(scope: Scope): string {
    return scope.kind === 'aggregate' ? 'aggregate' : `registry:${this.index.registries[scope.index] as string}`;
  }

  private async render(view: CallerView, rows: readonly Row[]): Promise<{ chunks: Buffer[]; count: number }> {
    const entries = await this.store.getEntries(
      rows.map((r) => ({
        registry: this.index.registries[r.registry] as string,
        name: r.name,
        version: r.version,
        ...(r.tombstoneMs !== undefined ? { override: tombstone(r.tombstoneMs) } : {}),
      })),
    );
    const chunks: Buffer[] = [];
    let count = 0;
    rows.forEach((row, i) => {
      const entry = entries[i];
      // An entry can vanish between the index read and the fetch (a concurrent delete); skip it.
      if (!entry) return;
      const also = alsoIn(this.index, view, row.registry, row.name).map((k) => this.index.registries[k] as string);
      pushItem(chunks, entry.body, entry.metaPrefix, also);
      count++;
    });
    return { chunks, count };
  }
}

const LIST_OPEN = Buffer.from('{"servers":[');

/** `{"servers":[...],"metadata":{...}}` around already-rendered item chunks. */
function envelope(chunks: Buffer[], metadata: { count: number; nextCursor?: string }): Buffer {
  return Buffer.concat([LIST_OPEN, ...chunks, Buffer.from(`],"metadata":${JSON.stringify(metadata)}}`)]);
}

/** How a synthetic tombstone is served: deleted, not latest, changed when the owner changed. */
function tombstone(ms: number): Partial<VersionRecord> {
  const at = new Date(ms).toISOString();
  return { status: 'deleted', isLatest: false, updatedAt: at, statusChangedAt: at, statusMessage: 'no longer served from this registry: the name is now served by another one' };
}
