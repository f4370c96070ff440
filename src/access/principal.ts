/** Built-in group every caller without a valid token is in. */
export const ANONYMOUS_GROUP = '$anonymous';
/** Built-in group every caller with a valid token is in. */
export const AUTHENTICATED_GROUP = '$authenticated';

/** Who is calling: derived from a verified token, or anonymous. */
export interface Principal {
  /** Token subject (`sub`), absent for anonymous callers. */
  subject?: string;
  /** Groups from the token plus the built-in `$anonymous` / `$authenticated`. */
  groups: readonly string[];
  scopes: readonly string[];
  anonymous: boolean;
}

/** The principal of a caller with no credentials. */
export function anonymousPrincipal(): Principal {
  return { groups: [ANONYMOUS_GROUP], scopes: [], anonymous: true };
}

/** Builds an authenticated principal, adding the `$authenticated` group. */
export function authenticatedPrincipal(subject: string, groups: readonly string[], scopes: readonly string[] = []): Principal {
  return { subject, groups: [...new Set([...groups, AUTHENTICATED_GROUP])], scopes, anonymous: false };
}
