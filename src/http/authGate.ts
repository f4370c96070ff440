import type { Principal } from '../access/principal.js';
import type { Authenticator } from '../auth/Authenticator.js';

/**
 * The one 401 gate: with auth on, an anonymous caller that was refused something (no `$anonymous`
 * rule lets it see the catalogue, administer, or write) gets a 401 challenge telling it to
 * authenticate, rather than a 403 or an empty answer. Returns normally otherwise, so the caller
 * decides what an authenticated refusal means. `refused` (default: always) is asked only when the
 * gate could apply, so the common unauthenticated path pays nothing for it.
 * @throws the authenticator's 401 (with `WWW-Authenticate`) when the gate applies.
 */
export function challengeAnonymous(authenticator: Authenticator, principal: Principal, detail: string, refused: () => boolean = () => true): void {
  if (authenticator.enabled && principal.anonymous && refused()) throw authenticator.missingCredentials(detail);
}
