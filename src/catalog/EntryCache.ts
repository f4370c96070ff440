import type { StoredEntry } from './CatalogStore.js';

/** Bytes counted per cached entry beyond its buffers and key (map slot, objects, headers). */
const ENTRY_OVERHEAD = 160;

interface Cached {
  /** The read model's record of the name the entry was fetched for (see {@link EntryCache}). */
  owner: object;
  version: string;
  entry: StoredEntry;
  bytes: number;
}

/**
 * A bounded, least-recently-used cache of served entries (body and `_meta` prefix) of one replica.
 *
 * It can never serve stale data: entries are filed under the read model's record of their name
 * (`IndexedName`) that was current when they were fetched consistently with the model, and are
 * only found through that very record object. Every write of a name makes the read model replace
 * that object, so a rewritten entry simply misses (and ages out); the freshness of the model itself
 * is checked per read as before (`CatalogService.answer`). Lookups hash only object identities and
 * the model's interned version strings.
 */
export class EntryCache {
  private readonly byOwner = new WeakMap<object, Map<string, Cached>>();
  /** Every cached entry, least recently used first. */
  private readonly order = new Set<Cached>();
  private size = 0;

  /** @param maxBytes budget (config `catalog.entryCacheBytes`); 0 disables the cache */
  constructor(private readonly maxBytes: number) {}

  /** Bytes held now. */
  get bytes(): number {
    return this.size;
  }

  /** The cached entry of `version` fetched for the name's record `owner`, else undefined. */
  get(owner: object, version: string): StoredEntry | undefined {
    const hit = this.byOwner.get(owner)?.get(version);
    if (!hit) return undefined;
    this.order.delete(hit);
    this.order.add(hit);
    return hit.entry;
  }

  /**
   * Keeps a copy of `entry` (fetched buffers may share a larger network buffer, which must not be
   * retained) for `owner`, evicting the least recently used entries beyond the budget.
   */
  set(owner: object, version: string, entry: StoredEntry): void {
    const bytes = entry.body.length + entry.metaPrefix.length + ENTRY_OVERHEAD;
    if (bytes > this.maxBytes / 8) return;
    let versions = this.byOwner.get(owner);
    if (!versions) this.byOwner.set(owner, (versions = new Map()));
    const old = versions.get(version);
    if (old) this.drop(old);
    const cached: Cached = { owner, version, entry: { body: copy(entry.body), metaPrefix: copy(entry.metaPrefix) }, bytes };
    versions.set(version, cached);
    this.order.add(cached);
    this.size += bytes;
    for (const oldest of this.order) {
      if (this.size <= this.maxBytes) break;
      this.drop(oldest);
    }
  }

  private drop(cached: Cached): void {
    this.order.delete(cached);
    this.byOwner.get(cached.owner)?.delete(cached.version);
    this.size -= cached.bytes;
  }
}

function copy(buffer: Buffer): Buffer {
  const out = Buffer.allocUnsafeSlow(buffer.length);
  buffer.copy(out);
  return out;
}
