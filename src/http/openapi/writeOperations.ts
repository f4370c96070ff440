/**
 * The write routes of managed registries: publish (default and per registry), replace and delete
 * one version, and set the status of one version or of every version of a server.
 */

import { json, ref, schemaRef, type Json, type OpenApiContext } from './shared.js';

/** The rules common to every write route, appended to each description. */
const writeNote =
  'Writes are accepted only by **managed** registries (`type: managed`); upstream and file registries are read-only and answer 405 ' +
  'with the reason. The caller needs a matching `publish` glob in an `access.rules` entry for the server name (403 otherwise). ' +
  'Bodies are validated against the official server.json JSON Schema named by `$schema` (current and older dated schemas) plus the ' +
  'official semantic rules; problems come back as 422 with `errors[].location` naming the field (`body.packages[0].transport.type`). ' +
  'A duplicate version is 409. With auth off, writes need `publish.allowAnonymous: true` (403 otherwise). ' +
  'Request bodies must be `application/json` (415) and at most `publish.maxBodyBytes` (413). ' +
  'The caller is authenticated (401) and must hold some write right in the registry (403) before the body is read. ' +
  'A server name the caller cannot see is 404 on every write, exactly like a missing one. Entries nested more than 32 levels ' +
  'or larger than 256 KiB of JSON are 400. With `auth.requiredScopes.write`, the token needs that scope (403 with an RFC 6750 ' +
  '`insufficient_scope` challenge).';
/** The error codes of the write routes that take a body. */
const writeErrors = [400, 403, 404, 405, 409, 413, 415, 422, 501, 503];
/** A required server.json request body. */
const serverJsonBody = (description: string): Json => ({
  required: true,
  description,
  content: { 'application/json': { schema: schemaRef('ServerJSON') } },
});

/** The write operations, split by where they go in `paths`. */
export interface WriteOperations {
  /**
   * The `put` and `delete` operations of `/{registryName}/v0.1/servers/{serverName}/versions/{version}`,
   * to be merged after that path's read (`get`) operation.
   */
  versionMethods: Json;
  /** The write-only path items (status routes, then the publish routes), in document order. */
  paths: Json;
}

/**
 * Builds the write routes of managed registries.
 *
 * @param ctx - the document context.
 * @returns the operations to merge into the per-registry version path, and the write-only paths.
 */
export function writeOperations(ctx: OpenApiContext): WriteOperations {
  const { op, responses } = ctx;
  /** The request body of the status routes (built per document, so documents share no objects). */
  const statusBody: Json = { required: true, content: { 'application/json': { schema: schemaRef('StatusUpdateRequest') } } };

  const publishOp = (registryScoped: boolean): Json =>
    op({
      tags: ['publish'],
      operationId: registryScoped ? 'registryPublish' : 'publish',
      summary: registryScoped ? 'Publish a server version to a managed registry' : 'Publish a server version to the default registry',
      description: registryScoped
        ? `Publishes a new version of a server to \`{registryName}\`. ${writeNote}`
        : 'Publishes to the managed registry named by `publish.defaultRegistry`. When none is configured the answer is a 501 whose ' +
          `detail names the per-registry route \`POST /{registryName}/v0.1/publish\`. ${writeNote}`,
      ...(registryScoped ? { parameters: [ref('parameters', 'RegistryName')] } : {}),
      requestBody: serverJsonBody('The server.json to publish.'),
      responses: responses({ '200': json('The published version, with registry metadata.', schemaRef('ServerResponse')) }, writeErrors),
    });

  return {
    versionMethods: {
      put: op({
        tags: ['publish'],
        operationId: 'registryUpdateServerVersion',
        summary: 'Replace one version of a server in a managed registry',
        description: `Replaces the server.json of an existing version; \`name\` and \`version\` in the body must match the path (400 otherwise). ${writeNote}`,
        parameters: [ref('parameters', 'RegistryName'), ref('parameters', 'ServerName'), ref('parameters', 'VersionExact')],
        requestBody: serverJsonBody('The new server.json for this version.'),
        responses: responses({ '200': json('The updated version.', schemaRef('ServerResponse')) }, writeErrors),
      }),
      delete: op({
        tags: ['publish'],
        operationId: 'registryDeleteServerVersion',
        summary: 'Delete one version of a server from a managed registry',
        description:
          'Marks the version `deleted` (a tombstone: `updated_since` clients see the deletion, and the name stays held by this registry so ' +
          `a lower-priority upstream cannot take it over). ${writeNote}`,
        parameters: [ref('parameters', 'RegistryName'), ref('parameters', 'ServerName'), ref('parameters', 'VersionExact')],
        responses: responses({ '200': json('The deleted version.', schemaRef('ServerResponse')) }, [400, 403, 404, 405, 409, 501, 503]),
      }),
    },
    paths: {
      '/{registryName}/v0.1/servers/{serverName}/versions/{version}/status': {
        patch: op({
          tags: ['publish'],
          operationId: 'registryUpdateServerVersionStatus',
          summary: 'Set the status of one server version',
          description: `Sets \`status\` (\`active\`, \`deprecated\` or \`deleted\`) and an optional \`statusMessage\`. ${writeNote}`,
          parameters: [ref('parameters', 'RegistryName'), ref('parameters', 'ServerName'), ref('parameters', 'VersionExact')],
          requestBody: statusBody,
          responses: responses({ '200': json('The updated version.', schemaRef('ServerResponse')) }, writeErrors),
        }),
      },
      '/{registryName}/v0.1/servers/{serverName}/status': {
        patch: op({
          tags: ['publish'],
          operationId: 'registryUpdateServerStatus',
          summary: 'Set the status of every version of a server',
          description: `Sets the status of all versions of the server at once (all or none). ${writeNote}`,
          parameters: [ref('parameters', 'RegistryName'), ref('parameters', 'ServerName')],
          requestBody: statusBody,
          responses: responses({ '200': json('Every updated version.', schemaRef('AllVersionsStatusResponse')) }, writeErrors),
        }),
      },
      '/v0.1/publish': { post: publishOp(false) },
      '/{registryName}/v0.1/publish': { post: publishOp(true) },
    },
  };
}
