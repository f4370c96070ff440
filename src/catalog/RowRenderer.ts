import type { CatalogStore, EntryRef, StoredEntry } from './CatalogStore.js';
import { formatMicros } from './clock.js';
import type { Row } from './nameRows.js';
import type { ReadModel } from './ReadModel.js';
import { pushItem, reshapeMetaPrefix } from './render.js';

/**
 * Renders rows as `{server, _meta}` items exactly as list routes show them to a caller: the stored
 * body, the stored `_meta` (re-rendered when the row's served time or displacement differ from its
 * record), and the caller's `alsoIn`. Shared by the read routes and the change feeds.
 */
export class RowRenderer {
  constructor(
    private readonly model: () => ReadModel,
    private readonly store: CatalogStore,
  ) {}

  /** The store refs of rows, in order. */
  refs(rows: readonly Row[]): EntryRef[] {
    const names = this.model().registries;
    return rows.map((r) => ({ registry: names[r.registry] as string, name: r.name, version: r.version }));
  }

  /** Items of rows with their fetched entries; a row whose body vanished meanwhile is left out. */
  assemble(rows: readonly Row[], entries: ReadonlyArray<StoredEntry | null>): { chunks: Buffer[]; count: number } {
    const model = this.model();
    const chunks: Buffer[] = [];
    let count = 0;
    rows.forEach((row, i) => {
      const entry = entries[i];
      if (!entry) return;
      const also = row.also.map((k) => model.registries[k] as string);
      pushItem(chunks, entry.body, this.prefixOf(model, row, entry), also);
      count++;
    });
    return { chunks, count };
  }

  /** Each row rendered on its own (undefined for a row whose body vanished meanwhile). */
  async renderEach(rows: readonly Row[]): Promise<Array<Buffer | undefined>> {
    const entries = await this.store.getEntries(this.refs(rows));
    return rows.map((row, i) => {
      const entry = entries[i];
      return entry ? Buffer.concat(this.assemble([row], [entry]).chunks) : undefined;
    });
  }

  private prefixOf(model: ReadModel, row: Row, entry: StoredEntry): Buffer {
    if (!row.bumped && row.displacedBy === undefined) return entry.metaPrefix;
    const by = row.displacedBy === undefined ? undefined : (model.registries[row.displacedBy] as string);
    return reshapeMetaPrefix(entry.metaPrefix, formatMicros(row.timeUs), by);
  }
}
