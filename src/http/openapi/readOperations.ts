/**
 * The official MCP Registry v0.1 read routes (list servers, list versions, get one version), as
 * served aggregated (`/v0.1/...`) and per registry (`/{registryName}/v0.1/...`).
 */

import { json, ref, schemaRef, type Json, type OpenApiContext } from './shared.js';

/** The path items (`get` only) of the three read routes of one scope. */
export interface ReadOperations {
  /** `.../servers`. */
  list: Json;
  /** `.../servers/{serverName}/versions`. */
  versions: Json;
  /** `.../servers/{serverName}/versions/{version}`. */
  version: Json;
}

/** How the scope of a read route is described: aggregated or one registry's view. */
const scopeNote = (gatewayMetaKey: string, perRegistry: boolean): string =>
  perRegistry
    ? 'One registry\'s view: only entries held by `{registryName}`, each with its own versions and `isLatest` (no aggregation). ' +
      'An unknown registry, or one the caller may not see, is a 404 exactly like a missing one.'
    : 'The aggregated catalogue: each server name comes from the highest-priority registry (config order) that the caller may see and ' +
      'that holds the name, with all its versions from that registry only; the other registries holding the name are listed in ' +
      `\`_meta["${gatewayMetaKey}"].alsoIn\`.`;

/** The parameters of a read route: `RegistryName` first when per registry, then the named ones. */
const readParams = (perRegistry: boolean, ...names: string[]): Json[] => [
  ...(perRegistry ? [ref('parameters', 'RegistryName')] : []),
  ...names.map((n) => ref('parameters', n)),
];

/**
 * Builds the read routes of one scope.
 *
 * @param ctx - the document context.
 * @param perRegistry - `true` for the per-registry routes (`registry`-prefixed operation ids, a
 *   `RegistryName` parameter, 404 on unknown registries), `false` for the aggregated ones.
 * @returns the `get` path items of the list, versions and version routes.
 */
export function readOperations(ctx: OpenApiContext, perRegistry: boolean): ReadOperations {
  const { op, responses, gatewayMetaKey } = ctx;
  const tag = perRegistry ? 'registry servers' : 'servers';
  const idPrefix = perRegistry ? 'registry' : '';
  const id = (base: string) => (perRegistry ? `${idPrefix}${base[0]?.toUpperCase()}${base.slice(1)}` : base);
  const notFound = perRegistry ? [404] : [];
  // Conditional reads (DESIGN §2): every read carries an entity tag and answers If-None-Match.
  const etag = { headers: { ETag: { description: 'Entity tag of this answer, for `If-None-Match`.', schema: { type: 'string' } } } };
  const conditional = (success: Json): Json => ({
    ...success,
    '304': { description: 'Not Modified: `If-None-Match` holds the current entity tag. No body.', ...etag },
  });
  return {
    list: {
      get: op({
        tags: [tag],
        operationId: id('listServers'),
        summary: perRegistry ? 'List the MCP servers of one registry' : 'List MCP servers',
        description:
          `${scopeNote(gatewayMetaKey, perRegistry)}\n\n` +
          'Ordered by name, then version (plain string order, as the official registry); pagination is keyset-based, so pages stay ' +
          'stable while the catalogue changes. Every filter (access rules, `search`, `version`, `updated_since`, `include_deleted`) is ' +
          'applied in the index before the page is cut, so pages are full and `metadata.count` is exact. ' +
          '`servers` is `[]` when nothing matches; `metadata.nextCursor` is omitted on the last page. Unknown query parameters are ignored; ' +
          'a parameter given more than once is a 422.',
        parameters: readParams(perRegistry, 'Cursor', 'Limit', 'Search', 'UpdatedSince', 'VersionFilter', 'IncludeDeleted'),
        responses: responses(
          conditional({ '200': json('A page of server versions.', schemaRef('ServerList'), etag) }),
          [400, 422, 503, ...notFound],
        ),
      }),
    },
    versions: {
      get: op({
        tags: [tag],
        operationId: id('listServerVersions'),
        summary: 'List all versions of an MCP server',
        description:
          `${scopeNote(gatewayMetaKey, perRegistry)}\n\n` +
          'Every visible version of the server, newest `publishedAt` first, in the list envelope (no `nextCursor`: the list is not paged). ' +
          '404 when the caller can see no version of the name (a name that exists but is invisible is indistinguishable from a missing one).',
        parameters: readParams(perRegistry, 'ServerName', 'IncludeDeletedDetail'),
        responses: responses(conditional({ '200': json('All visible versions of the server.', schemaRef('ServerList'), etag) }), [400, 404, 422, 503]),
      }),
    },
    version: {
      get: op({
        tags: [tag],
        operationId: id('getServerVersion'),
        summary: 'Get one version of an MCP server',
        description:
          `${scopeNote(gatewayMetaKey, perRegistry)}\n\n` +
          'A bare `{server, _meta}` (no envelope). `{version}` may be `latest`: the version whose `isLatest` is true (semver precedence; ' +
          'non-semver versions by `publishedAt`; deleted versions never win unless every version is deleted).',
        parameters: readParams(perRegistry, 'ServerName', 'Version', 'IncludeDeletedDetail'),
        responses: responses(conditional({ '200': json('The server version.', schemaRef('ServerResponse'), etag) }), [400, 404, 422, 503]),
      }),
    },
  };
}
