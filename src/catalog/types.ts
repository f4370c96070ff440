/** Lifecycle status of one server version (official registry semantics). */
export type ServerStatus = 'active' | 'deprecated' | 'deleted';

/** The official registry's `_meta` key for its own metadata block. */
export const OFFICIAL_META_KEY = 'io.modelcontextprotocol.registry/official';

/**
 * The gateway's own `_meta` key (reverse-DNS, namespaced as the official registry recommends for
 * sub-registries). Holds the source registry, the upstream's `updatedAt`, `syncedAt` and `alsoIn`.
 */
export const GATEWAY_META_KEY = 'io.github.mcp-registry-gateway/federation';

/** A server.json document as stored (opaque beyond the fields the gateway reads). */
export type ServerJson = Record<string, unknown> & { name: string; version: string; description?: string; title?: string };

/** The official metadata block as served (`_meta["io.modelcontextprotocol.registry/official"]`). */
export interface OfficialMeta {
  status: ServerStatus;
  statusMessage?: string;
  statusChangedAt: string;
  publishedAt: string;
  /** The gateway's own change time: moves when visible content, status or isLatest change here. */
  updatedAt: string;
  isLatest: boolean;
}

/**
 * Everything the index keeps about one version of one name in one registry, apart from the
 * server.json body itself (stored separately so listings filter without touching bodies).
 */
export interface VersionRecord extends OfficialMeta {
  version: string;
  /** The source's own `updatedAt`, when it reported one. */
  upstreamUpdatedAt?: string;
  /** When the gateway last stored data for this entry from its source. */
  syncedAt: string;
  /** Content hash of the server.json body, to detect real changes. */
  hash: string;
  /** Lower-cased title and description, for `search`. */
  text: string;
  /**
   * Set when the version was removed from its registry (a file entry dropped, an upstream sweep):
   * kept for the tombstone retention and served as `deleted` at `updatedAt` (the removal time), so
   * `updated_since` pollers learn of the removal; it no longer counts as the registry holding it.
   */
  gone?: true;
}

/**
 * Everything stored about one name in one registry (one field of the registry's meta hash).
 * Legacy data (a bare array of records) reads as `{since: '', v: records}`.
 */
export interface StoredName {
  /**
   * When the registry last started holding the name (a first live version arrived), or '' when it
   * holds none (only removed versions remain) or the time is unknown (legacy data).
   */
  since: string;
  /** Every version, live and removed, sorted by version (plain string order). */
  v: VersionRecord[];
}

/** One entry arriving from a source (file, upstream page, publish) before merging. */
export interface IncomingEntry {
  server: ServerJson;
  /** Official metadata reported by the source, if any (status, publishedAt, ...). */
  official?: Partial<Pick<OfficialMeta, 'status' | 'statusMessage' | 'statusChangedAt' | 'publishedAt' | 'updatedAt'>>;
}
