import type { IncomingHttpHeaders } from 'node:http';
import { anonymousPrincipal, type Principal } from '../access/principal.js';

/**
 * Turns a request's credentials into a principal. Implementations throw `AuthenticationError` for
 * invalid credentials; a request with no credentials yields the anonymous principal.
 */
export interface Authenticator {
  authenticate(headers: IncomingHttpHeaders): Promise<Principal>;
}

/** `auth.mode: none`: every caller is anonymous. */
export class AnonymousAuthenticator implements Authenticator {
  async authenticate(): Promise<Principal> {
    return anonymousPrincipal();
  }
}
