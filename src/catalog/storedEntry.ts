import { GATEWAY_META_KEY, OFFICIAL_META_KEY, type OfficialMeta, type VersionRecord } from './types.js';

/**
 * One version's served data as stored (the `r:<registry>:e` hash value): the varying parts of its
 * pre-rendered `_meta` and its body, in one value, NUL-separated:
 *
 *     <official block JSON> \0 <rest of the gateway block> \0 <server.json body>
 *
 * The constant parts of the `_meta` prefix (the two block keys, the registry name) are added back
 * on read. JSON text never contains a raw NUL (JSON.stringify escapes it), so the split is exact.
 * One value instead of a body hash and a rendered hash saves a field, a hash entry and an
 * allocation per version, and a read fetches both with one HMGET.
 */

const SEP = 0;
const HEAD = Buffer.from(`{${JSON.stringify(OFFICIAL_META_KEY)}:`);
const TAIL = Buffer.from(',"alsoIn":');

/** The `_meta` parts stored for one record (the entry value without its body). */
export function storedMeta(r: VersionRecord): string {
  const official: OfficialMeta = {
    status: r.status,
    statusChangedAt: r.statusChangedAt,
    publishedAt: r.publishedAt,
    updatedAt: r.updatedAt,
    isLatest: r.isLatest,
  };
  if (r.statusMessage !== undefined) official.statusMessage = r.statusMessage;
  const rest = r.upstreamUpdatedAt !== undefined ? `,"upstreamUpdatedAt":${JSON.stringify(r.upstreamUpdatedAt)},"syncedAt":${JSON.stringify(r.syncedAt)}` : `,"syncedAt":${JSON.stringify(r.syncedAt)}`;
  return `${JSON.stringify(official)}\u0000${rest}`;
}

/** The gateway block's opening for a registry (constant per registry, so it is built once). */
const gatewayOpenings = new Map<string, Buffer>();
function gatewayOpening(registry: string): Buffer {
  let b = gatewayOpenings.get(registry);
  if (!b) {
    b = Buffer.from(`,${JSON.stringify(GATEWAY_META_KEY)}:{"registry":${JSON.stringify(registry)}`);
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
  const a = value.indexOf(SEP);
  const b = a < 0 ? -1 : value.indexOf(SEP, a + 1);
  if (b < 0) return undefined;
  const opening = gatewayOpening(registry);
  const metaPrefix = Buffer.allocUnsafe(HEAD.length + a + opening.length + (b - a - 1) + TAIL.length);
  let at = HEAD.copy(metaPrefix, 0);
  at += value.copy(metaPrefix, at, 0, a);
  at += opening.copy(metaPrefix, at);
  at += value.copy(metaPrefix, at, a + 1, b);
  TAIL.copy(metaPrefix, at);
  return { body: value.subarray(b + 1), metaPrefix };
}

/**
 * Converts a `_meta` prefix of the previous format (stored whole, in `r:<registry>:om`) to the
 * stored parts of {@link storedMeta}. Undefined when it does not have the expected shape.
 */
export function metaFromLegacyPrefix(registry: string, prefix: string): string | undefined {
  const head = HEAD.toString();
  const tail = TAIL.toString();
  const opening = gatewayOpening(registry).toString();
  if (!prefix.startsWith(head) || !prefix.endsWith(tail)) return undefined;
  const at = prefix.indexOf(opening, head.length);
  if (at < 0) return undefined;
  return `${prefix.slice(head.length, at)}\u0000${prefix.slice(at + opening.length, prefix.length - tail.length)}`;
}
