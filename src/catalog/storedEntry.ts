import { GATEWAY_META_KEY, OFFICIAL_META_KEY, type OfficialMeta, type VersionRecord } from './types.js';

/**
 * One version's served data as stored (the `r:<registry>:e` hash value): the varying values of its
 * `_meta` and its body, NUL-separated, the body last:
 *
 *     status \0 statusChangedAt \0 publishedAt \0 updatedAt \0 isLatest \0 statusMessage \0
 *     upstreamUpdatedAt \0 syncedAt \0 <server.json body>
 *
 * Times and the message are JSON strings (quotes included, so escaping is exactly the served
 * one); `statusChangedAt` is empty when it equals `publishedAt`, `syncedAt` when it equals
 * `updatedAt`, `upstreamUpdatedAt` is `=` when it equals `publishedAt` (empty when absent),
 * `isLatest` is `1` or empty. Keys, constant text and the registry name are added back on read,
 * byte for byte what the served `_meta` always was. JSON text never contains a raw NUL
 * (JSON.stringify escapes it), so the split is exact. One value per version (instead of a body
 * hash and a rendered hash) saves a field, a hash entry and an allocation per version, and a
 * read fetches it with one HMGET.
 */

const SEP = 0;
const EQUALS = '='.charCodeAt(0);
/** How many `_meta` values precede the body (lua/applyNames.lua skips as many to keep a body). */
const PARTS = 8;
const piece = (s: string) => Buffer.from(s);
const HEAD = piece(`{${JSON.stringify(OFFICIAL_META_KEY)}:{"status":"`);
const STATUS_CHANGED_AT = piece('","statusChangedAt":');
const PUBLISHED_AT = piece(',"publishedAt":');
const UPDATED_AT = piece(',"updatedAt":');
const IS_LATEST_TRUE = piece(',"isLatest":true');
const IS_LATEST_FALSE = piece(',"isLatest":false');
const STATUS_MESSAGE = piece(',"statusMessage":');
const UPSTREAM_UPDATED_AT = piece(',"upstreamUpdatedAt":');
const SYNCED_AT = piece(',"syncedAt":');
const TAIL = piece(',"alsoIn":');

/** The `_meta` values stored for one record (the entry value without its body). */
export function storedMeta(r: Pick<VersionRecord, 'status' | 'statusChangedAt' | 'publishedAt' | 'updatedAt' | 'isLatest' | 'statusMessage' | 'upstreamUpdatedAt' | 'syncedAt'>): string {
  const j = JSON.stringify;
  const upstream = r.upstreamUpdatedAt === undefined ? '' : r.upstreamUpdatedAt === r.publishedAt ? '=' : j(r.upstreamUpdatedAt);
  return [
    r.status,
    r.statusChangedAt === r.publishedAt ? '' : j(r.statusChangedAt),
    j(r.publishedAt),
    j(r.updatedAt),
    r.isLatest ? '1' : '',
    r.statusMessage === undefined ? '' : j(r.statusMessage),
    upstream,
    r.syncedAt === r.updatedAt ? '' : j(r.syncedAt),
  ].join('\u0000');
}

/** The gateway block's opening for a registry (constant per registry, so it is built once). */
const gatewayOpenings = new Map<string, Buffer>();
function gatewayOpening(registry: string): Buffer {
  let b = gatewayOpenings.get(registry);
  if (!b) {
    b = Buffer.from(`},${JSON.stringify(GATEWAY_META_KEY)}:{"registry":${JSON.stringify(registry)}`);
    // Registry names come from configuration: a handful, so this cache stays tiny.
    if (gatewayOpenings.size < 10_000) gatewayOpenings.set(registry, b);
  }
  return b;
}

/**
 * Splits a stored entry value into the served body and the `_meta` prefix up to `alsoIn` (the
 * body is a view of `value`; the prefix a new Buffer). Undefined when the value is malformed.
 */
export function readStoredEntry(registry: string, value: Buffer): { body: Buffer; metaPrefix: Buffer } | undefined {
  const ends: number[] = [];
  for (let at = -1, k = 0; k < PARTS; k++) {
    at = value.indexOf(SEP, at + 1);
    if (at < 0) return undefined;
    ends.push(at);
  }
  const part = (k: number) => value.subarray(k === 0 ? 0 : (ends[k - 1] as number) + 1, ends[k]);
  const published = part(2);
  const updated = part(3);
  const changed = part(1);
  const message = part(5);
  const upstream = part(6);
  const synced = part(7);
  const chunks: Buffer[] = [HEAD, part(0), STATUS_CHANGED_AT, changed.length > 0 ? changed : published, PUBLISHED_AT, published, UPDATED_AT, updated, part(4).length > 0 ? IS_LATEST_TRUE : IS_LATEST_FALSE];
  if (message.length > 0) chunks.push(STATUS_MESSAGE, message);
  chunks.push(gatewayOpening(registry));
  if (upstream.length > 0) chunks.push(UPSTREAM_UPDATED_AT, upstream.length === 1 && upstream[0] === EQUALS ? published : upstream);
  chunks.push(SYNCED_AT, synced.length > 0 ? synced : updated, TAIL);
  return { body: value.subarray((ends[PARTS - 1] as number) + 1), metaPrefix: Buffer.concat(chunks) };
}

/**
 * Converts a `_meta` prefix of the previous format (stored whole, in `r:<registry>:om`) to the
 * stored values of {@link storedMeta}. Undefined when it is not such a prefix.
 */
export function metaFromLegacyPrefix(prefix: string): string | undefined {
  let meta: Record<string, Record<string, unknown> | undefined>;
  try {
    meta = JSON.parse(`${prefix}[]}}`) as typeof meta;
  } catch {
    return undefined;
  }
  const official = meta[OFFICIAL_META_KEY];
  const gateway = meta[GATEWAY_META_KEY];
  if (!official || !gateway) return undefined;
  return storedMeta({ ...(official as unknown as OfficialMeta), ...(gateway as { upstreamUpdatedAt?: string; syncedAt: string }) });
}
