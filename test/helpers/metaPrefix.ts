import { GATEWAY_META_KEY, OFFICIAL_META_KEY, type VersionRecord } from '../../src/catalog/types.js';

/**
 * The served `_meta` prefix (up to `alsoIn`) of a record, rendered the way the gateway has always
 * served it — and stored whole in `r:<registry>:om` by the previous storage format.
 */
export function referenceMetaPrefix(registry: string, r: VersionRecord): string {
  const official: Record<string, unknown> = { status: r.status, statusChangedAt: r.statusChangedAt, publishedAt: r.publishedAt, updatedAt: r.updatedAt, isLatest: r.isLatest };
  if (r.statusMessage !== undefined) official.statusMessage = r.statusMessage;
  const gateway: Record<string, unknown> = { registry };
  if (r.upstreamUpdatedAt !== undefined) gateway.upstreamUpdatedAt = r.upstreamUpdatedAt;
  gateway.syncedAt = r.syncedAt;
  return `{${JSON.stringify(OFFICIAL_META_KEY)}:${JSON.stringify(official)},${JSON.stringify(GATEWAY_META_KEY)}:${JSON.stringify(gateway).slice(0, -1)},"alsoIn":`;
}
