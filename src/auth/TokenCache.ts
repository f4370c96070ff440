import { createHash } from 'node:crypto';

/** The key a token is known by in caches and in-flight maps (the token itself is never kept). */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

interface Entry<T> {
  value: T;
  expiresAt: number;
}

/**
 * A bounded in-memory cache keyed by the SHA-256 of a token (the token itself is never kept),
 * each entry living until its own expiry. Oldest entries go first when full.
 */
export class TokenCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(private readonly maxEntries = 10_000) {}

  private key(token: string): string {
    return tokenHash(token);
  }

  get(token: string, now = Date.now()): T | undefined {
    const k = this.key(token);
    const e = this.entries.get(k);
    if (!e) return undefined;
    if (e.expiresAt <= now) {
      this.entries.delete(k);
      return undefined;
    }
    return e.value;
  }

  set(token: string, value: T, expiresAt: number): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(this.key(token), { value, expiresAt });
  }

  get size(): number {
    return this.entries.size;
  }
}
