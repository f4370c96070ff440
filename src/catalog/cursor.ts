import { createHmac, timingSafeEqual } from 'node:crypto';
import { InputError } from '../errors.js';

/** A keyset position: the last (name, version) a page returned. */
export interface CursorPosition {
  name: string;
  version: string;
}

const MAX_CURSOR_LENGTH = 2048;
const FORMAT = 1;

/**
 * Encodes and verifies opaque pagination cursors. A cursor is the keyset position plus the scope it
 * was issued for (`aggregate`, or one registry), signed with an HMAC so a tampered cursor or one from
 * another scope is rejected as a 400 rather than leaking or failing.
 */
export class CursorCodec {
  constructor(private readonly secret: Buffer) {}

  /** Encodes `position` for `scope`. */
  encode(scope: string, position: CursorPosition): string {
    const payload = Buffer.from(JSON.stringify([FORMAT, scope, position.name, position.version])).toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  /**
   * Decodes a cursor issued for `scope`.
   * @throws InputError when it is malformed, tampered with, or issued for another scope.
   */
  decode(scope: string, cursor: string): CursorPosition {
    const invalid = (why: string) =>
      new InputError(`Invalid cursor: ${why}. Use the metadata.nextCursor value of a previous page of this same route, unchanged.`);
    if (cursor.length > MAX_CURSOR_LENGTH) throw invalid('too long');
    const dot = cursor.indexOf('.');
    if (dot <= 0) throw invalid('not a cursor issued by this gateway');
    const payload = cursor.slice(0, dot);
    const given = Buffer.from(cursor.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.sign(payload), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid('signature mismatch');
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw invalid('unreadable');
    }
    if (!Array.isArray(parsed) || parsed.length !== 4 || parsed[0] !== FORMAT) throw invalid('unknown format');
    const [, cursorScope, name, version] = parsed as [number, unknown, unknown, unknown];
    if (typeof name !== 'string' || typeof version !== 'string') throw invalid('unknown format');
    if (cursorScope !== scope) throw invalid('it was issued for a different route');
    return { name, version };
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest().subarray(0, 16).toString('base64url');
  }
}
