import { createHash } from 'node:crypto';
import { GATEWAY_VERSION } from '../version.js';
import type { Row } from './nameRows.js';
import type { ReadModel } from './ReadModel.js';

const SALT = `etag-v1\u0000${GATEWAY_VERSION}`;

/**
 * A strong entity tag for a response made of `rows`, computed from the read model alone (no body is
 * fetched): every input that decides the response's bytes goes in — each row's registry, name,
 * version, its record's own change time (a stored body and `_meta` change only with it), its served
 * time and displacement, the caller's `alsoIn` for it, and `extra` (page metadata such as the next
 * position). Two callers get the same tag only when their responses are byte-identical.
 */
export function entityTag(model: ReadModel, rows: readonly Row[], extra: string): string {
  // One string, hashed once: cheaper than an update per row.
  const parts: Array<string | number> = [SALT, model.registries.join(','), extra];
  for (const row of rows) {
    parts.push(row.registry, row.name, row.version, row.record.updatedUs(row.k), row.timeUs, row.displacedBy ?? '', row.also.length === 0 ? '' : row.also.join(','));
  }
  return `"${createHash('sha1').update(parts.join('\u0001')).digest('base64url').slice(0, 22)}"`;
}

/**
 * True when an `If-None-Match` header value matches `etag` (RFC 9110 §13.1.2: weak comparison,
 * `*` matches any current representation).
 */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const wanted = etag.replace(/^W\//, '');
  return header.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag.replace(/^W\//, '') === wanted;
  });
}
