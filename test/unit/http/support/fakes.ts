/**
 * In-memory fakes of the HTTP layer's ports (src/http/ports.ts), so route tests run without Redis.
 * They keep the contracts the routes rely on (visibility, 404 for invisible, entity tags, write
 * targets) and render bodies in the v0.1 shapes; the integration suites test the real services.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { CallerView } from '../../../../src/access/AccessPolicy.js';
import { anonymousPrincipal, authenticatedPrincipal, type Principal } from '../../../../src/access/principal.js';
import type { Authenticator } from '../../../../src/auth/Authenticator.js';
import type { ListParams, Reply } from '../../../../src/catalog/CatalogService.js';
import { GATEWAY_META_KEY, OFFICIAL_META_KEY, type ServerStatus } from '../../../../src/catalog/types.js';
import type { Scope, Visibility } from '../../../../src/catalog/visibility.js';
import type { RegistryConfig } from '../../../../src/config/schema.js';
import {
  AuthenticationError,
  ConflictError,
  ForbiddenError,
  MethodNotAllowedError,
  NotFoundError,
  NotImplementedError,
  ValidationError,
  type DomainError,
} from '../../../../src/errors.js';
import type { CatalogReads, HealthProbe, Publishing, RegistryAdmin } from '../../../../src/http/ports.js';
import type { StatusChange, Writer } from '../../../../src/publish/PublishService.js';
import type { RegistrySummary } from '../../../../src/sync/RegistryService.js';

const T0 = '2025-01-01T00:00:00.000Z';

/** One stored version. */
export interface FakeEntry {
  registry: string;
  name: string;
  version: string;
  status: ServerStatus;
  isLatest: boolean;
}

const tag = (value: unknown) => `"${createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 16)}"`;

function reply(value: unknown, ifNoneMatch: string | undefined): Reply {
  const etag = tag(value);
  return { etag, body: ifNoneMatch === etag ? null : Buffer.from(JSON.stringify(value)) };
}

/** The catalogue: entries in priority order of `registries`, aggregated by first holder. */
export class FakeCatalog implements CatalogReads {
  constructor(
    readonly registries: readonly string[],
    readonly entries: FakeEntry[],
  ) {}

  scopeFor(view: Visibility, registryName?: string): Scope {
    if (registryName === undefined) return { kind: 'aggregate' };
    const index = this.registries.indexOf(registryName);
    if (index === -1 || !view.registries.includes(index)) throw new NotFoundError(`Registry "${registryName}" not found.`);
    return { kind: 'registry', index };
  }

  private visible(view: Visibility, scope: Scope, includeDeleted: boolean): FakeEntry[] {
    const seen = (e: FakeEntry) => {
      const i = this.registries.indexOf(e.registry);
      return view.registries.includes(i) && view.canSee(i, e.name) && (includeDeleted || e.status !== 'deleted');
    };
    if (scope.kind === 'registry') return this.entries.filter((e) => e.registry === this.registries[scope.index] && seen(e));
    const holder = new Map<string, string>();
    for (const e of this.entries.filter(seen)) {
      const current = holder.get(e.name);
      if (current === undefined || this.registries.indexOf(e.registry) < this.registries.indexOf(current)) holder.set(e.name, e.registry);
    }
    return this.entries.filter((e) => seen(e) && holder.get(e.name) === e.registry);
  }

  /** The v0.1 `ServerResponse` of an entry. */
  render(e: FakeEntry): unknown {
    return {
      server: { name: e.name, description: `The ${e.name} server`, version: e.version },
      _meta: {
        [OFFICIAL_META_KEY]: { status: e.status, publishedAt: T0, updatedAt: T0, isLatest: e.isLatest },
        [GATEWAY_META_KEY]: { registry: e.registry, syncedAt: T0, alsoIn: [] },
      },
    };
  }

  async listServers(view: Visibility, scope: Scope, params: ListParams, ifNoneMatch?: string): Promise<Reply> {
    const rows = this.visible(view, scope, params.includeDeleted)
      .filter((e) => (params.version === 'latest' ? e.isLatest : params.version === undefined || e.version === params.version))
      .filter((e) => params.search === undefined || e.name.includes(params.search))
      .slice(0, params.limit);
    return reply({ servers: rows.map((e) => this.render(e)), metadata: { count: rows.length } }, ifNoneMatch);
  }

  async listVersions(view: Visibility, scope: Scope, name: string, includeDeleted: boolean, ifNoneMatch?: string): Promise<Reply> {
    const rows = this.visible(view, scope, includeDeleted).filter((e) => e.name === name);
    if (rows.length === 0) throw new NotFoundError('Server not found');
    return reply({ servers: rows.map((e) => this.render(e)), metadata: { count: rows.length } }, ifNoneMatch);
  }

  async getVersion(view: Visibility, scope: Scope, name: string, version: string, includeDeleted: boolean, ifNoneMatch?: string): Promise<Reply> {
    const row = this.visible(view, scope, includeDeleted).find((e) => e.name === name && (version === 'latest' ? e.isLatest : e.version === version));
    if (!row) throw new NotFoundError('Server not found');
    return reply(this.render(row), ifNoneMatch);
  }

  async getStored(registry: string, name: string, version: string): Promise<Buffer> {
    const row = this.entries.find((e) => e.registry === registry && e.name === name && e.version === version);
    if (!row) throw new NotFoundError('Server not found');
    return Buffer.from(JSON.stringify(this.render(row)));
  }
}

/** Admin routes' service: summaries from the configured registries, syncs recorded in `syncs`. */
export class FakeRegistryAdmin implements RegistryAdmin {
  readonly syncs: Array<{ name: string; full: boolean }> = [];
  /** When set, every call fails with it (e.g. a store failure). */
  failure?: unknown;

  constructor(private readonly registries: readonly RegistryConfig[]) {}

  async list(view: CallerView): Promise<RegistrySummary[]> {
    if (this.failure !== undefined) throw this.failure;
    return this.registries
      .map((r, priority) => ({ r, priority }))
      .filter(({ priority }) => view.registries.includes(priority))
      .map(({ r, priority }) => ({ name: r.name, type: r.type, priority, syncStatus: { phase: 'complete', attemptCount: 0, serverCount: 1, versionCount: 1 } }));
  }

  async get(view: CallerView, name: string): Promise<RegistrySummary> {
    const found = (await this.list(view)).find((r) => r.name === name);
    if (!found) throw new NotFoundError(`Registry "${name}" not found.`);
    return found;
  }

  async requestSync(view: CallerView, name: string, full: boolean): Promise<RegistrySummary> {
    const summary = await this.get(view, name);
    if (summary.type === 'managed') throw new ConflictError(`Registry "${name}" is managed: there is nothing to sync.`);
    this.syncs.push({ name, full });
    return summary;
  }
}

/** Writes into a {@link FakeCatalog}; `failure`, when set, is thrown by every write. */
export class FakePublishing implements Publishing {
  failure?: unknown;

  constructor(
    private readonly registries: readonly RegistryConfig[],
    private readonly catalog: FakeCatalog,
    private readonly defaultRegistry?: string,
  ) {}

  target(view: CallerView, registryName: string | undefined): string {
    const name = registryName ?? this.defaultRegistry;
    if (name === undefined) throw new NotImplementedError('No default registry for publishing is configured (publish.defaultRegistry).');
    const i = this.registries.findIndex((r) => r.name === name);
    if (i === -1 || !view.registries.includes(i)) throw new NotFoundError(`Registry "${name}" not found.`);
    if (this.registries[i]?.type !== 'managed') throw new MethodNotAllowedError(`Registry "${name}" is read-only here.`);
    return name;
  }

  assertMayWrite(writer: Writer, registry: string): void {
    const i = this.registries.findIndex((r) => r.name === registry);
    if (!writer.view.admin && !writer.view.hasPublishRules(i)) throw new ForbiddenError(`You may not publish to "${registry}".`);
  }

  private find(registry: string, name: string, version: string): FakeEntry {
    const row = this.catalog.entries.find((e) => e.registry === registry && e.name === name && e.version === version && e.status !== 'deleted');
    if (!row) throw new NotFoundError('Server not found');
    return row;
  }

  async publish(_writer: Writer, registry: string, body: unknown): Promise<{ name: string; version: string }> {
    if (this.failure !== undefined) throw this.failure;
    const { name, version } = (body ?? {}) as { name?: unknown; version?: unknown };
    if (typeof name !== 'string' || typeof version !== 'string') {
      throw new ValidationError('validation failed', { errors: [{ message: 'name and version are required', location: 'body' }] });
    }
    if (this.catalog.entries.some((e) => e.registry === registry && e.name === name && e.version === version)) {
      throw new ConflictError(`Version ${version} of ${name} already exists in "${registry}".`);
    }
    for (const e of this.catalog.entries) if (e.registry === registry && e.name === name) e.isLatest = false;
    this.catalog.entries.push({ registry, name, version, status: 'active', isLatest: true });
    return { name, version };
  }

  async edit(_writer: Writer, registry: string, name: string, version: string): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    this.find(registry, name, version);
  }

  async setStatus(_writer: Writer, registry: string, name: string, version: string | undefined, change: StatusChange): Promise<string[]> {
    if (this.failure !== undefined) throw this.failure;
    const rows = this.catalog.entries.filter((e) => e.registry === registry && e.name === name && (version === undefined || e.version === version));
    if (rows.length === 0) throw new NotFoundError('Server not found');
    for (const row of rows) row.status = change.status;
    return rows.map((r) => r.version);
  }

  async delete(_writer: Writer, registry: string, name: string, version: string): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    this.find(registry, name, version).status = 'deleted';
  }
}

/**
 * An authenticator with auth on, whose bearer tokens are principals by name (`Bearer admin`):
 * the route tests check what the routes do with principals; token verification has its own
 * suite against a real OpenID Provider (test/integration/auth).
 */
export class FakeAuthenticator implements Authenticator {
  readonly enabled = true;
  static readonly CHALLENGE = 'Bearer realm="test"';

  constructor(private readonly principals: Record<string, Principal>) {}

  async authenticate(headers: IncomingHttpHeaders): Promise<Principal> {
    const header = headers.authorization;
    if (header === undefined) return anonymousPrincipal();
    const principal = this.principals[header.replace(/^Bearer /, '')];
    if (!principal) throw new AuthenticationError('Invalid bearer token.', { headers: { 'WWW-Authenticate': FakeAuthenticator.CHALLENGE } });
    return principal;
  }

  missingCredentials(detail: string): DomainError {
    return new AuthenticationError(detail, { headers: { 'WWW-Authenticate': FakeAuthenticator.CHALLENGE } });
  }

  checkScopes(): void {}
}

/** A principal for {@link FakeAuthenticator}. */
export const principal = (subject: string, groups: string[]) => authenticatedPrincipal(subject, groups);

/** `/readyz` probe whose answers the test sets. */
export class FakeHealth implements HealthProbe {
  reachable = true;
  loaded = true;
  async storeReachable(): Promise<boolean> {
    return this.reachable;
  }
  ready(): boolean {
    return this.loaded;
  }
}
