/**
 * Small helpers shared by the modules that build the gateway's OpenAPI document: `$ref` and
 * response builders, shared constants, and the per-document {@link OpenApiContext}.
 */

import { REGISTRY_NAME_PATTERN as REGISTRY_NAME_RULE } from '../../config/registryName.js';

/** A plain JSON object, as every fragment of the document is. */
export type Json = Record<string, unknown>;

/** The media type of RFC 9457 problem details. */
export const PROBLEM_JSON = 'application/problem+json';

/** The pattern a registry name must match (path parameter and `Registry.name`). */
export const REGISTRY_NAME_PATTERN = REGISTRY_NAME_RULE.source;

/**
 * A `$ref` to a component.
 *
 * @param kind - the components section (`schemas`, `parameters`, `responses` or `headers`).
 * @param name - the component's name in that section.
 * @returns `{ $ref: '#/components/<kind>/<name>' }`.
 */
export const ref = (kind: 'schemas' | 'parameters' | 'responses' | 'headers', name: string): Json => ({ $ref: `#/components/${kind}/${name}` });

/**
 * A `$ref` to a schema component.
 *
 * @param name - the schema's name under `components.schemas`.
 */
export const schemaRef = (name: string): Json => ref('schemas', name);

/**
 * A response (or request body) object with an `application/json` body.
 *
 * @param description - the response description.
 * @param schema - the body schema.
 * @param extra - further fields, placed between `description` and `content`.
 */
export const json = (description: string, schema: Json, extra: Json = {}): Json => ({ description, ...extra, content: { 'application/json': { schema } } });

/**
 * A `date-time` string schema.
 *
 * @param description - what the timestamp means.
 */
export const timestamp = (description: string): Json => ({ type: 'string', format: 'date-time', description });

/** Error responses shared by every operation: status code → component response name. */
export const ERROR_RESPONSES: Record<string, string> = {
  '400': 'BadRequest',
  '401': 'Unauthorized',
  '403': 'Forbidden',
  '404': 'NotFound',
  '405': 'MethodNotAllowed',
  '409': 'Conflict',
  '413': 'PayloadTooLarge',
  '415': 'UnsupportedMediaType',
  '422': 'ValidationFailed',
  '500': 'InternalError',
  '501': 'NotImplemented',
  '503': 'ServiceUnavailable',
};

/** The resolved settings of one document, plus the operation builders that depend on them. */
export interface OpenApiContext {
  /** Whether OIDC bearer auth is on. */
  readonly authEnabled: boolean;
  /** The gateway's own reverse-DNS `_meta` key. */
  readonly gatewayMetaKey: string;
  /** The largest `limit` accepted (default already applied). */
  readonly maxPageSize: number;
  /** The page size when `limit` is absent (default already applied). */
  readonly defaultPageSize: number;
  /**
   * Responses of an operation: its successes plus the listed error codes (401 added when auth is
   * on and the operation is `authenticated`, 500 always), error codes in sorted order.
   */
  responses(success: Json, errors: readonly number[], authenticated?: boolean): Json;
  /** An operation; `open` ones are served before authentication (no credentials looked at). */
  op(fields: Json & { responses: Json }, open?: boolean): Json;
}

/**
 * Creates the {@link OpenApiContext} of one document.
 *
 * @param settings - whether auth is on, the gateway `_meta` key and the resolved page sizes.
 * @returns the context, with `responses` and `op` bound to `settings.authEnabled`.
 */
export function createOpenApiContext(settings: {
  authEnabled: boolean;
  gatewayMetaKey: string;
  maxPageSize: number;
  defaultPageSize: number;
}): OpenApiContext {
  const { authEnabled } = settings;

  const responses = (success: Json, errors: readonly number[], authenticated = true): Json => {
    const out: Json = { ...success };
    const codes = new Set(errors.map(String));
    if (authEnabled && authenticated) codes.add('401');
    codes.add('500');
    for (const code of [...codes].sort()) out[code] = ref('responses', ERROR_RESPONSES[code] as string);
    return out;
  };

  const op = (fields: Json & { responses: Json }, open = false): Json => (open && authEnabled ? { ...fields, security: [] } : fields);

  return { ...settings, responses, op };
}
