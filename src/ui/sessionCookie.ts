import { isLoopbackUrl } from '../config/schema.js';
import { parseCookies, serializeCookie } from './cookies.js';

/** How the console's session cookie is named and flagged. */
export interface SessionCookie {
  name: string;
  secure: boolean;
  sameSite: 'lax' | 'strict';
  /** Browser-side lifetime, seconds (the server-side session ends first when idle). */
  maxAgeSeconds: number;
  /** The cookie value from a `Cookie` header, if any. */
  read(header: string | undefined): string | undefined;
  /** `Set-Cookie` value that stores `id`. */
  set(id: string): string;
  /** `Set-Cookie` value that deletes the cookie. */
  clear(): string;
}

/**
 * Cookie settings for a gateway reachable at `publicUrl`. The cookie is Secure (and then named with
 * the `__Host-` prefix: host-only, path `/`) unless `publicUrl` is plain http on a loopback host,
 * where browsers would not send a Secure cookie back from a non-localhost name.
 */
export function sessionCookie(publicUrl: string, settings: { cookieName: string; sameSite: 'lax' | 'strict'; lifetime: number }): SessionCookie {
  const secure = !(publicUrl.startsWith('http://') && isLoopbackUrl(publicUrl));
  const name = secure ? `__Host-${settings.cookieName}` : settings.cookieName;
  const maxAgeSeconds = Math.ceil(settings.lifetime / 1000);
  const base = { secure, sameSite: settings.sameSite };
  return {
    name,
    secure,
    sameSite: settings.sameSite,
    maxAgeSeconds,
    read: (header) => parseCookies(header).get(name),
    set: (id) => serializeCookie(name, id, { ...base, maxAgeSeconds }),
    clear: () => serializeCookie(name, '', { ...base, maxAgeSeconds: 0 }),
  };
}
