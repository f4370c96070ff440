import type { IncomingHttpHeaders } from 'node:http';
import { anonymousPrincipal, type Principal } from '../access/principal.js';
import { ForbiddenError, type DomainError } from '../errors.js';

/**
 * Turns a request's credentials into a principal. Implementations throw `AuthenticationError` for
 * invalid credentials; a request with no credentials yields the anonymous principal.
 */
export interface Authenticator {
  /** True when callers can authenticate (`auth.mode: oidc`). */
  readonly enabled: boolean;
  authenticate(headers: IncomingHttpHeaders): Promise<Principal>;
  /** The 401 for a request that must authenticate but sent no credentials. */
  missingCredentials(detail: string): DomainError;
  /**
   * Enforces `auth.requiredScopes` for a read (`write` false) or a write.
   * @throws a 403 with an `insufficient_scope` challenge when the token lacks the scope.
   */
  checkScopes(principal: Principal, write: boolean): void;
}

/** `auth.mode: none`: every caller is anonymous. */
export class AnonymousAuthenticator implements Authenticator {
  readonly enabled = false;

  async authenticate(): Promise<Principal> {
    return anonymousPrincipal();
  }

  checkScopes(): void {}

  missingCredentials(detail: string): DomainError {
    return new ForbiddenError(`${detail} (authentication is disabled on this gateway: auth.mode is none)`);
  }
}
