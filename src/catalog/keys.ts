/**
 * Redis key layout. Every key starts with `{prefix}:` — the braces are a Redis Cluster hash tag, so
 * all keys live in one slot and multi-key scripts and transactions work on a cluster.
 *
 * - `r:<registry>:meta`  HASH name → StoredName JSON, compact (storedNameCodec.ts; all versions,
 *                        removed ones included until their retention ends)
 * - `r:<registry>:e`     HASH name\0version → the served `_meta`'s varying parts and the
 *                        server.json body, in one value (see storedEntry.ts)
 * - `r:<registry>:srv`, `r:<registry>:om`  the previous format's bodies and `_meta` prefixes
 *                        (HASHes by name\0version): still read, moved to `e` by
 *                        {@link CatalogWriter.migrateLegacyEntries} and by any write of the name
 * - `registries`         HASH registry → JSON {type, createdAt, updatedAt}
 * - `status`             HASH registry → JSON syncStatus
 * - `changes`            STREAM of {seq, reg, name, t}: every index write with its commit time (µs)
 * - `clock`              STRING the last commit time (µs): every write's stamp is strictly later
 * - `seq`                STRING counter, one per change (detects gaps in a trimmed stream)
 * - `counts`             HASH `<registry>:names` / `<registry>:versions` → stored totals
 * - `secret`             STRING shared HMAC secret for cursors (created once)
 */
export class Keys {
  readonly base: string;

  constructor(prefix: string) {
    this.base = `{${prefix}}:`;
  }

  meta(registry: string): string {
    return `${this.base}r:${registry}:meta`;
  }

  entries(registry: string): string {
    return `${this.base}r:${registry}:e`;
  }

  legacyBodies(registry: string): string {
    return `${this.base}r:${registry}:srv`;
  }

  legacyRendered(registry: string): string {
    return `${this.base}r:${registry}:om`;
  }

  get clock(): string {
    return `${this.base}clock`;
  }

  get registries(): string {
    return `${this.base}registries`;
  }

  get status(): string {
    return `${this.base}status`;
  }

  get changes(): string {
    return `${this.base}changes`;
  }

  get seq(): string {
    return `${this.base}seq`;
  }

  get counts(): string {
    return `${this.base}counts`;
  }

  get secret(): string {
    return `${this.base}secret`;
  }

  /** Temporary set of `name\0version` seen by one full-sync walk (swept afterwards). */
  syncSeen(registry: string, runId: string): string {
    return `${this.base}sync:${registry}:seen:${runId}`;
  }

  lock(name: string): string {
    return `${this.base}lock:${name}`;
  }
}

/** The body hash field for one version. NUL cannot occur in names, so the pair is unambiguous. */
export function bodyField(name: string, version: string): string {
  return `${name}\u0000${version}`;
}
