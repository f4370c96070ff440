import type { ErrorDetail } from '../errors.js';

/** The only `_meta` key the official registry keeps from publishers. */
export const PUBLISHER_META_KEY = 'io.modelcontextprotocol.registry/publisher-provided';
const MAX_PUBLISHER_META_BYTES = 4096;
const RANGE_LIKE = /^[\^~<>=*]|\s-\s|\|\||^[xX*]$|\.[xX*](\.|$)/;

/**
 * The official registry's rules beyond the JSON Schema: name shape, title not blank, version not
 * `latest` and not a range, package versions not `latest`, publisher `_meta` size. Returns
 * field-level problems (empty when fine).
 */
export function semanticProblems(body: Record<string, unknown>): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  const name = body.name;
  if (typeof name === 'string') {
    const parts = name.split('/');
    const edgeOk = (s: string) => /^[a-zA-Z0-9]/.test(s) && /[a-zA-Z0-9]$/.test(s);
    if (parts.length !== 2 || !edgeOk(parts[0] as string) || !edgeOk(parts[1] as string)) {
      out.push({ message: 'must be "namespace/name" with exactly one slash, each part starting and ending with a letter or digit', location: 'body.name', value: name });
    }
  }
  if (typeof body.title === 'string' && body.title.trim() === '') out.push({ message: 'must not be blank', location: 'body.title' });
  const version = body.version;
  if (typeof version === 'string') {
    if (version === 'latest') out.push({ message: '"latest" is reserved and cannot be published', location: 'body.version', value: version });
    else if (RANGE_LIKE.test(version)) out.push({ message: 'must be a specific version, not a range', location: 'body.version', value: version });
  }
  if (Array.isArray(body.packages)) {
    body.packages.forEach((p, i) => {
      if (p && typeof p === 'object' && (p as { version?: unknown }).version === 'latest') {
        out.push({ message: 'must be a specific version, not "latest"', location: `body.packages[${i}].version`, value: 'latest' });
      }
    });
  }
  const meta = body._meta;
  if (meta && typeof meta === 'object' && PUBLISHER_META_KEY in meta) {
    const size = Buffer.byteLength(JSON.stringify((meta as Record<string, unknown>)[PUBLISHER_META_KEY]));
    if (size > MAX_PUBLISHER_META_BYTES) out.push({ message: `must be at most ${MAX_PUBLISHER_META_BYTES} bytes of JSON (is ${size})`, location: `body._meta.${PUBLISHER_META_KEY}` });
  }
  return out;
}

/** The body as stored: `_meta` keeps only the publisher-provided block (as the official registry). */
export function normalizeForStorage(body: Record<string, unknown>): Record<string, unknown> {
  const meta = body._meta;
  if (!meta || typeof meta !== 'object') return body;
  const { _meta: _drop, ...rest } = body;
  const kept = (meta as Record<string, unknown>)[PUBLISHER_META_KEY];
  return kept === undefined ? rest : { ...rest, _meta: { [PUBLISHER_META_KEY]: kept } };
}
