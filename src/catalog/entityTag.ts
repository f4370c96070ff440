import { createHash } from 'node:crypto';
import { GATEWAY_VERSION } from '../version.js';
import type { Row } from './nameRows.js';
import type { ReadModel } from './ReadModel.js';

/**
 * A strong entity tag for a response made of `rows`, computed from the read model alone (no body is
 * fetched): every input that decides the response's bytes goes in — each row's registry, name,
 * version, its record's own change time (a stored body and `_meta` change only with it), its served
 * time and displacement, the caller's `alsoIn` for it, and `extra` (page metadata such as the next
 * position). Two callers get the same tag only when their responses are byte-identical.
 */
export function entityTag(model: ReadModel, rows: readonly Row[], alsoIn: (row: Row) => readonly number[], extra: string): string {
  const hash = createHash('sha1').update(GATEWAY_VERSION).update('\u0000').update(model.registries.join(',')).update('\u0000').update(extra);
  for (const row of rows) {
    const own = model.entry(row.registry, row.name)?.updatedUs(row.k) ?? 0;
    hash.update(`\u0000${row.registry}\u0001${row.name}\u0001${row.version}\u0001${own}\u0001${row.timeUs}\u0001${row.displacedBy ?? ''}\u0001${alsoIn(row).join(',')}`);
  }
  return `"${hash.digest('base64url').slice(0, 22)}"`;
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
