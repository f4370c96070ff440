/** Attributes of a cookie set by the console. */
export interface CookieOptions {
  maxAgeSeconds?: number;
  secure: boolean;
  sameSite: 'lax' | 'strict';
  path?: string;
}

/** Parses a `Cookie` header into name → value (first occurrence wins; undecodable values are skipped). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (out.has(name)) continue;
    try {
      out.set(name, decodeURIComponent(part.slice(eq + 1).trim()));
    } catch {
      // A malformed value is treated as absent.
    }
  }
  return out;
}

/** Serialises a `Set-Cookie` value; always HttpOnly. A `maxAgeSeconds` of 0 deletes the cookie. */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${options.path ?? '/'}`, 'HttpOnly', `SameSite=${options.sameSite === 'strict' ? 'Strict' : 'Lax'}`];
  if (options.secure) parts.push('Secure');
  if (options.maxAgeSeconds !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`);
  return parts.join('; ');
}
