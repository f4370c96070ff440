import { GATEWAY_META_KEY, OFFICIAL_META_KEY } from './types.js';

const SERVER_OPEN = Buffer.from('{"server":');
const META_OPEN = Buffer.from(',"_meta":');
const NO_ALSO_IN = Buffer.from('[]}}}');
const COMMA = Buffer.from(',');

/**
 * Appends the chunks of one `{server, _meta}` item — stored body, meta prefix and the caller's
 * `alsoIn` — to `out`. Bodies stay Buffers from Redis to the socket: no decode/encode per request.
 */
export function pushItem(out: Buffer[], body: Buffer, metaPrefix: Buffer, alsoIn: readonly string[]): void {
  if (out.length > 0) out.push(COMMA);
  out.push(SERVER_OPEN, body, META_OPEN, metaPrefix, alsoIn.length === 0 ? NO_ALSO_IN : Buffer.from(`${JSON.stringify(alsoIn)}}}}`));
}

const ALSO_IN_TAIL = '[]}}';

/**
 * A stored `_meta` prefix re-rendered for a row whose served state differs from its record: a
 * later change time (ownership moved to or from this registry for the caller), or a displaced
 * tombstone (`deleted`, never latest, naming the registry that now serves the name).
 */
export function reshapeMetaPrefix(prefix: Buffer, updatedAt: string, displacedBy?: string): Buffer {
  const meta = JSON.parse(`${prefix.toString('utf8')}${ALSO_IN_TAIL}`) as Record<string, Record<string, unknown>>;
  const official = meta[OFFICIAL_META_KEY] as Record<string, unknown>;
  official.updatedAt = updatedAt;
  if (displacedBy !== undefined) {
    official.status = 'deleted';
    official.statusChangedAt = updatedAt;
    official.statusMessage = `no longer served from this registry: "${displacedBy}" now serves this server name`;
    official.isLatest = false;
    const gateway = meta[GATEWAY_META_KEY] as Record<string, unknown>;
    const alsoIn = gateway.alsoIn;
    delete gateway.alsoIn;
    gateway.displacedBy = displacedBy;
    gateway.alsoIn = alsoIn;
  }
  const text = JSON.stringify(meta);
  return Buffer.from(text.slice(0, -ALSO_IN_TAIL.length));
}
