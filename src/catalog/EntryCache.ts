import type { StoredEntry } from './CatalogStore.js';

/** Size of one cache segment: entries are copied into segments, which are reused whole. */
export const SEGMENT_BYTES = 1 << 20;

interface Slot {
  segment: number;
  generation: number;
  offset: number;
  bodyLength: number;
  prefixLength: number;
}

/**
 * A bounded cache of served entries (body and `_meta` prefix) of one replica.
 *
 * It can never serve stale data: entries are filed under the read model's record of their name
 * (`IndexedName`) that was current when they were fetched consistently with the model, and are
 * only found through that very record object. Every write of a name makes the read model replace
 * that object, so a rewritten entry simply misses; the freshness of the model itself is checked per
 * read as before (`CatalogService.answer`).
 *
 * Its memory is exactly its budget: entries are copied into fixed 1 MiB segments, filled in turn
 * and reused whole, oldest first (FIFO eviction), so there is no allocation per entry and no
 * fragmentation. Lookups hash only object identities and the model's interned version strings.
 */
export class EntryCache {
  private readonly segments: Buffer[] = [];
  private readonly generations: number[] = [];
  /** Per segment: the slot maps and versions filed in it, forgotten when it is reused. */
  private readonly filed: Array<Array<[Map<string, Slot>, string]>> = [];
  private readonly byOwner = new WeakMap<object, Map<string, Slot>>();
  private readonly count: number;
  private current = -1;
  private offset = SEGMENT_BYTES;

  /** @param maxBytes budget (config `catalog.entryCacheBytes`), used in whole 1 MiB segments; below one segment disables the cache */
  constructor(maxBytes: number) {
    this.count = Math.floor(maxBytes / SEGMENT_BYTES);
  }

  /** Bytes of segments allocated so far (at most the budget). */
  get bytes(): number {
    return this.segments.length * SEGMENT_BYTES;
  }

  /** A copy of the cached entry of `version` fetched for the name's record `owner`, else undefined. */
  get(owner: object, version: string): StoredEntry | undefined {
    const slot = this.byOwner.get(owner)?.get(version);
    if (!slot || this.generations[slot.segment] !== slot.generation) return undefined;
    const segment = this.segments[slot.segment] as Buffer;
    const start = slot.offset;
    const split = start + slot.bodyLength;
    return { body: Buffer.from(segment.subarray(start, split)), metaPrefix: Buffer.from(segment.subarray(split, split + slot.prefixLength)) };
  }

  /** Copies `entry` in for `owner`, reusing the oldest segment when the current one is full. */
  set(owner: object, version: string, entry: StoredEntry): void {
    const size = entry.body.length + entry.metaPrefix.length;
    if (this.count === 0 || size > SEGMENT_BYTES) return;
    if (this.offset + size > SEGMENT_BYTES) this.advance();
    const segment = this.segments[this.current] as Buffer;
    entry.body.copy(segment, this.offset);
    entry.metaPrefix.copy(segment, this.offset + entry.body.length);
    let versions = this.byOwner.get(owner);
    if (!versions) this.byOwner.set(owner, (versions = new Map()));
    const generation = this.generations[this.current] as number;
    versions.set(version, { segment: this.current, generation, offset: this.offset, bodyLength: entry.body.length, prefixLength: entry.metaPrefix.length });
    (this.filed[this.current] as Array<[Map<string, Slot>, string]>).push([versions, version]);
    this.offset += size;
  }

  private advance(): void {
    this.current = (this.current + 1) % this.count;
    this.offset = 0;
    if (this.current === this.segments.length) {
      this.segments.push(Buffer.allocUnsafeSlow(SEGMENT_BYTES));
      this.generations.push(0);
      this.filed.push([]);
      return;
    }
    this.generations[this.current] = (this.generations[this.current] as number) + 1;
    for (const [versions, version] of this.filed[this.current] as Array<[Map<string, Slot>, string]>) {
      if (versions.get(version)?.segment === this.current) versions.delete(version);
    }
    this.filed[this.current] = [];
  }
}
