import type { CallerView } from '../access/AccessPolicy.js';
import type { Principal } from '../access/principal.js';
import { NOW } from '../catalog/clock.js';
import type { CatalogWriter } from '../catalog/CatalogWriter.js';
import { isLive, mergeName, reflagLatest, type NameMerge } from '../catalog/merge.js';
import type { ServerJson, ServerStatus, VersionRecord } from '../catalog/types.js';
import type { GatewayConfig, RegistryConfig } from '../config/schema.js';
import { ConflictError, ForbiddenError, InputError, MethodNotAllowedError, NotFoundError, NotImplementedError, ValidationError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { boundsProblem, ENTRY_LIMITS } from '../sync/entries.js';
import type { ServerSchemaValidator } from './schemaValidator.js';
import { normalizeForStorage, semanticProblems } from './semanticRules.js';

/** A status change request (`PATCH .../status`). */
export interface StatusChange {
  status: ServerStatus;
  statusMessage?: string;
}

/** Who is writing, and what they may see and edit. */
export interface Writer {
  principal: Principal;
  view: CallerView;
  /** True when authentication is on (else writes need `publish.allowAnonymous`). */
  authEnabled: boolean;
}

/** The same detail as the read routes' 404, so a write reveals no more than a read. */
const SERVER_NOT_FOUND = 'Server not found';

/**
 * Writes to managed registries: publish, edit, status changes and deletion, each validated (the
 * official server.json schemas plus its semantic rules), permission-checked against the caller's
 * `publish` patterns, applied atomically per name (concurrent writers cannot both win), with
 * isLatest recomputed and the change time moved so the aggregated view and downstream syncs see it
 * at once. Deletion keeps a tombstone (status `deleted`), so the name stays owned by the registry.
 */
export class PublishService {
  constructor(
    private readonly registries: readonly RegistryConfig[],
    private readonly publishConfig: GatewayConfig['publish'],
    private readonly writer: CatalogWriter,
    private readonly validator: ServerSchemaValidator,
    private readonly logger: Logger,
  ) {}

  /**
   * The managed registry a write targets. A registry the caller may not see is "not found", exactly
   * like one that does not exist; only then is its type revealed.
   * @throws NotImplementedError for `POST /v0.1/publish` without `publish.defaultRegistry`;
   * NotFoundError for an unknown or invisible registry; MethodNotAllowedError for a non-managed one.
   */
  target(view: CallerView, registryName: string | undefined): string {
    const name = registryName ?? this.publishConfig.defaultRegistry;
    if (name === undefined) {
      throw new NotImplementedError('No default registry for publishing is configured (publish.defaultRegistry). Publish to a managed registry with POST /{registryName}/v0.1/publish.');
    }
    const registry = this.registries.find((r) => r.name === name);
    const i = this.registries.findIndex((r) => r.name === name);
    if (!registry || !view.registries.includes(i)) throw new NotFoundError(`Registry "${name}" not found.`);
    if (registry.type !== 'managed') {
      throw new MethodNotAllowedError(`Registry "${name}" is a ${registry.type} registry and is read-only here: only managed registries accept publishes and edits.`);
    }
    return name;
  }

  /**
   * Checks that the caller may write to `registry` at all, before its body is read or parsed.
   * @throws ForbiddenError when the caller has no publish right there (or anonymous writes are off).
   */
  assertMayWrite(writer: Writer, registry: string): void {
    const i = this.registries.findIndex((r) => r.name === registry);
    if (!writer.authEnabled) {
      if (!this.publishConfig.allowAnonymous) {
        throw new ForbiddenError('Writes to managed registries are disabled because authentication is off (auth.mode: none). Turn on auth, or set publish.allowAnonymous: true (demos only).');
      }
      return;
    }
    if (!writer.view.admin && !writer.view.hasPublishRules(i)) {
      throw new ForbiddenError(`You may not publish or edit anything in registry "${registry}": none of your groups has publish patterns there.`);
    }
  }

  /**
   * Per-name permission. A name the caller cannot see is "not found" whether or not it exists and
   * whatever the write (publish, edit, status, delete): invisible equals nonexistent, so nothing
   * after this check (duplicates, no-op changes, the stored entry) can reveal it.
   */
  private authorize(writer: Writer, registry: string, name: string): void {
    const i = this.registries.findIndex((r) => r.name === registry);
    this.assertMayWrite(writer, registry);
    if (!writer.view.canSee(i, name)) throw new NotFoundError(SERVER_NOT_FOUND);
    if (!writer.authEnabled) {
      // Anonymous writers are still bound by `publish` patterns when rules grant $anonymous any.
      if (writer.view.hasPublishRules(i) && !writer.view.canPublish(i, name)) {
        throw new ForbiddenError(`Anonymous callers may not publish or edit "${name}" in registry "${registry}": it matches none of the $anonymous publish patterns.`);
      }
      return;
    }
    if (!writer.view.canPublish(i, name)) {
      throw new ForbiddenError(`You may not publish or edit "${name}" in registry "${registry}": it matches none of your groups' publish patterns.`);
    }
  }

  private validate(body: unknown): ServerJson {
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw new InputError('The request body must be a server.json object.');
    }
    const tooBig = boundsProblem(body, 'body');
    if (tooBig) throw new InputError(`The server.json ${tooBig}; entries may nest at most ${ENTRY_LIMITS.maxDepth} levels.`);
    const problems = [...this.validator.validate(body as Record<string, unknown>), ...semanticProblems(body as Record<string, unknown>)];
    if (problems.length > 0) {
      throw new ValidationError(`The server.json is invalid: ${problems.length} problem${problems.length === 1 ? '' : 's'} (see errors).`, { errors: problems });
    }
    return normalizeForStorage(body as Record<string, unknown>) as ServerJson;
  }

  /** Validates only (the CLI's `--dry-run`). */
  check(body: unknown): ServerJson {
    return this.validate(body);
  }

  /**
   * Publishes a new version.
   * @throws ValidationError (422) for an invalid body; ConflictError (409) for a duplicate version;
   * ForbiddenError (403) without permission.
   */
  async publish(writer: Writer, registry: string, body: unknown): Promise<{ name: string; version: string }> {
    const server = this.validate(body);
    this.authorize(writer, registry, server.name);
    const now = NOW;
    await this.writer.update(registry, server.name, (records) => {
      if (records.some((r) => r.version === server.version)) {
        throw new ConflictError(`Version ${server.version} of ${server.name} already exists in "${registry}": published versions are immutable. Publish a new version, or edit it with PUT.`);
      }
      const max = this.writer.maxVersionsPerName;
      if (records.filter(isLive).length >= max) throw new InputError(`${server.name} already has ${max} versions, the most a server may have here (catalog.maxVersionsPerName).`);
      return mergeName(records, [{ server, official: { publishedAt: now, status: 'active' } }], 'upsert', now);
    });
    this.audit(writer, 'publish', registry, server.name, server.version);
    return { name: server.name, version: server.version };
  }

  /**
   * Replaces the body of an existing version (`PUT`); name and version must match the path.
   * @throws NotFoundError when the version does not exist or is deleted.
   */
  async edit(writer: Writer, registry: string, name: string, version: string, body: unknown): Promise<void> {
    const server = this.validate(body);
    if (server.name !== name || server.version !== version) {
      throw new InputError(`The body's name and version (${server.name}@${server.version}) must match the path (${name}@${version}).`);
    }
    this.authorize(writer, registry, name);
    const now = NOW;
    await this.writer.update(registry, name, (records) => {
      const current = records.find((r) => r.version === version);
      if (!current || current.status === 'deleted') throw new NotFoundError(SERVER_NOT_FOUND);
      const merge = mergeName(records, [{ server, official: { publishedAt: current.publishedAt, status: current.status, statusChangedAt: current.statusChangedAt, ...(current.statusMessage ? { statusMessage: current.statusMessage } : {}) } }], 'upsert', now);
      return merge;
    });
    this.audit(writer, 'edit', registry, name, version);
  }

  /**
   * Changes the status of one version, or of every version when `version` is undefined.
   * @throws InputError for a message with `active`, or when nothing would change.
   */
  async setStatus(writer: Writer, registry: string, name: string, version: string | undefined, change: StatusChange): Promise<string[]> {
    if (change.status === 'active' && change.statusMessage) throw new InputError('statusMessage cannot be set together with status "active".');
    this.authorize(writer, registry, name);
    const now = NOW;
    let touched: string[] = [];
    await this.writer.update(registry, name, (records) => {
      const targets = version === undefined ? records : records.filter((r) => r.version === version);
      if (targets.length === 0) throw new NotFoundError(SERVER_NOT_FOUND);
      const changing = targets.filter((r) => r.status !== change.status || (r.statusMessage ?? undefined) !== (change.statusMessage ?? undefined));
      if (changing.length === 0) throw new InputError('No changes to apply: the status and message are already set.');
      touched = changing.map((r) => r.version);
      return restatus(records, new Set(touched), change, now);
    });
    this.audit(writer, 'status', registry, name, version ?? '*', { status: change.status, versions: touched.length });
    return touched;
  }

  /** Deletes a version: it becomes a tombstone (status `deleted`) that downstream syncs receive. */
  async delete(writer: Writer, registry: string, name: string, version: string): Promise<void> {
    this.authorize(writer, registry, name);
    const now = NOW;
    await this.writer.update(registry, name, (records) => {
      const target = records.find((r) => r.version === version);
      if (!target || target.status === 'deleted') throw new NotFoundError(SERVER_NOT_FOUND);
      return restatus(records, new Set([version]), { status: 'deleted' }, now);
    });
    this.audit(writer, 'delete', registry, name, version);
  }

  private audit(writer: Writer, action: string, registry: string, name: string, version: string, extra: Record<string, unknown> = {}): void {
    this.logger.info('audit', { action: `publish.${action}`, outcome: 'ok', registry, server: name, version, subject: writer.principal.subject ?? '(anonymous)', ...extra });
  }
}

/** New records after changing the status of `versions`, with isLatest recomputed. */
function restatus(records: readonly VersionRecord[], versions: ReadonlySet<string>, change: StatusChange, now: string): NameMerge {
  const next = records.map((r) => {
    if (!versions.has(r.version)) return { ...r };
    const updated: VersionRecord = { ...r, status: change.status, statusChangedAt: now, updatedAt: now, syncedAt: now };
    if (change.statusMessage) updated.statusMessage = change.statusMessage;
    else delete updated.statusMessage;
    return updated;
  });
  reflagLatest(next, now);
  return { records: next, bodies: new Map(), removed: [], changed: true };
}

