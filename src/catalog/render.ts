import { GATEWAY_META_KEY, OFFICIAL_META_KEY, type OfficialMeta, type VersionRecord } from './types.js';

/**
 * The served `_meta` of one version, pre-rendered up to the caller-dependent part: everything but
 * the value of the gateway block's `alsoIn`. Stored beside the body at write time, so a read only
 * concatenates strings.
 */
export function renderMetaPrefix(registry: string, r: VersionRecord): string {
  const official: OfficialMeta = {
    status: r.status,
    statusChangedAt: r.statusChangedAt,
    publishedAt: r.publishedAt,
    updatedAt: r.updatedAt,
    isLatest: r.isLatest,
  };
  if (r.statusMessage !== undefined) official.statusMessage = r.statusMessage;
  const gateway: Record<string, unknown> = { registry };
  if (r.upstreamUpdatedAt !== undefined) gateway.upstreamUpdatedAt = r.upstreamUpdatedAt;
  gateway.syncedAt = r.syncedAt;
  const gatewayJson = JSON.stringify(gateway);
  return `{${JSON.stringify(OFFICIAL_META_KEY)}:${JSON.stringify(official)},${JSON.stringify(GATEWAY_META_KEY)}:${gatewayJson.slice(0, -1)},"alsoIn":`;
}

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
