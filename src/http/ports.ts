/**
 * What the HTTP layer needs from the rest of the gateway, as small interfaces: the composition
 * root passes the real services, route tests pass in-memory fakes (no Redis).
 */
import type { CallerView } from '../access/AccessPolicy.js';
import type { Principal } from '../access/principal.js';
import type { ListParams, Reply } from '../catalog/CatalogService.js';
import type { Scope, Visibility } from '../catalog/visibility.js';
import type { StatusChange, Writer } from '../publish/PublishService.js';
import type { RegistrySummary } from '../sync/RegistryService.js';

/** Catalogue reads (`CatalogService`). Replies are pre-serialised JSON bodies. */
export interface CatalogReads {
  /** @throws NotFoundError for an unknown or invisible registry. */
  scopeFor(view: Visibility, registryName?: string): Scope;
  listServers(view: Visibility, scope: Scope, params: ListParams, ifNoneMatch?: string): Promise<Reply>;
  /** @throws NotFoundError when no version of the name is visible. */
  listVersions(view: Visibility, scope: Scope, name: string, includeDeleted: boolean, ifNoneMatch?: string): Promise<Reply>;
  /** @throws NotFoundError when the version is not visible. */
  getVersion(view: Visibility, scope: Scope, name: string, version: string, includeDeleted: boolean, ifNoneMatch?: string): Promise<Reply>;
  /** One stored entry as a v0.1 `ServerResponse` body, regardless of visibility (after a write). */
  getStored(registry: string, name: string, version: string): Promise<Buffer>;
}

/** Admin view of the registries and "sync now" (`RegistryService`). */
export interface RegistryAdmin {
  list(view: CallerView): Promise<RegistrySummary[]>;
  /** @throws NotFoundError when not configured or not visible. */
  get(view: CallerView, name: string): Promise<RegistrySummary>;
  /** @throws NotFoundError, ConflictError (managed) or NotImplementedError. */
  requestSync(view: CallerView, name: string, full: boolean): Promise<RegistrySummary>;
}

/** Writes to managed registries (`PublishService`). */
export interface Publishing {
  /** The managed registry a write targets. @throws NotImplementedError, NotFoundError, MethodNotAllowedError. */
  target(view: CallerView, registryName: string | undefined): string;
  /** @throws ForbiddenError when the caller has no write right in `registry`. */
  assertMayWrite(writer: Writer, registry: string): void;
  publish(writer: Writer, registry: string, body: unknown): Promise<{ name: string; version: string }>;
  edit(writer: Writer, registry: string, name: string, version: string, body: unknown): Promise<void>;
  /** @returns the versions whose status changed. */
  setStatus(writer: Writer, registry: string, name: string, version: string | undefined, change: StatusChange): Promise<string[]>;
  delete(writer: Writer, registry: string, name: string, version: string): Promise<void>;
}

/** The access policy: what a caller may see, administer and publish (`AccessPolicy`). */
export interface AccessViews {
  viewFor(principal: Principal): CallerView;
}

/** Readiness probes for `/readyz`. */
export interface HealthProbe {
  /** True when the catalogue store answers (bounded by the probe). */
  storeReachable(): Promise<boolean>;
  /** Readiness beyond the store (e.g. the read model has loaded); absent means ready. */
  ready?(): boolean;
}
