import type { Principal } from '../access/principal.js';
import type { Reply } from '../catalog/CatalogService.js';
import type { GatewayConfig } from '../config/schema.js';
import type { AccessViews, CatalogReads } from './ports.js';
import { parseBool, parseListQuery } from './query.js';
import { parseServerPath } from './serverPath.js';

/** Dependencies of the read routes. */
export interface ReadRoutesDeps {
  catalog: CatalogReads;
  access: AccessViews;
  api: GatewayConfig['api'];
  /** Responses depend on the caller's token (auth on): private caching, varying by credentials. */
  perCaller: boolean;
}

/** A catalogue read route: list, a name's versions, or one version (`latest` allowed). */
export type ReadRoute = { route: string; registry?: string } & (
  | { kind: 'list' }
  | { kind: 'versions'; name: string }
  | { kind: 'version'; name: string; version: string }
);

/**
 * Which read route a request names: `segments` are the decoded path segments after `/servers/`
 * (undefined for the list itself). Returns undefined for other `/servers/...` paths (the status
 * routes and unknown shapes), which other routers answer.
 */
export function readRouteOf(registry: string | undefined, segments: readonly string[] | undefined): ReadRoute | undefined {
  const prefix = registry === undefined ? '' : 'registry.';
  const at = registry === undefined ? {} : { registry };
  if (segments === undefined) return { route: `${prefix}servers.list`, kind: 'list', ...at };
  const parsed = parseServerPath(segments);
  if (parsed?.kind === 'versions') return { route: `${prefix}servers.versions`, kind: 'versions', name: parsed.name, ...at };
  if (parsed?.kind === 'version') return { route: `${prefix}servers.version`, kind: 'version', name: parsed.name, version: parsed.version, ...at };
  return undefined;
}

/** Answers a read route for a caller: validates the query, then asks the catalogue. */
export type ReadAnswerer = (route: ReadRoute, principal: Principal, query: Record<string, unknown>, ifNoneMatch: string | undefined) => Promise<Reply>;

/**
 * The read routes' one implementation, shared by the express router and the hot path.
 * @throws NotFoundError (unknown or invisible registry or server), ValidationError / InputError (query).
 */
export function catalogReads(deps: ReadRoutesDeps): ReadAnswerer {
  return async (route, principal, query, ifNoneMatch) => {
    const view = deps.access.viewFor(principal);
    const scope = deps.catalog.scopeFor(view, route.registry);
    if (route.kind === 'list') return deps.catalog.listServers(view, scope, parseListQuery({ query }, deps.api), ifNoneMatch);
    const includeDeleted = parseBool(query, 'include_deleted', false);
    if (route.kind === 'versions') return deps.catalog.listVersions(view, scope, route.name, includeDeleted, ifNoneMatch);
    return deps.catalog.getVersion(view, scope, route.name, route.version, includeDeleted, ifNoneMatch);
  };
}

/** The media type of catalogue bodies. */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * Headers of a conditional read's reply (DESIGN §2), flat `[name, value, ...]`: the entity tag
 * always, and caching headers that keep one caller's copy from serving another.
 */
export function replyHeaders(reply: Reply, perCaller: boolean): string[] {
  const headers = ['ETag', reply.etag, 'Cache-Control', perCaller ? 'private, no-cache' : 'no-cache'];
  if (perCaller) headers.push('Vary', 'Authorization, X-Authorization');
  return headers;
}
