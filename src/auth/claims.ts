/**
 * Reads a claim by dotted path (`groups`, `realm_access.roles`, `resource_access.gw.roles`) and
 * returns it as a list of strings: arrays keep their string items; a string is split on spaces and
 * commas; anything else is empty.
 */
export function claimList(payload: Record<string, unknown>, path: string): string[] {
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return [];
    value = (value as Record<string, unknown>)[part];
  }
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string' && v !== '');
  if (typeof value === 'string') return value.split(/[\s,]+/).filter((v) => v !== '');
  return [];
}

/** Scopes from `scope` (space-separated, RFC 9068/7662) or `scp` (array, Entra/Okta). */
export function scopesOf(payload: Record<string, unknown>): string[] {
  const scope = claimList(payload, 'scope');
  return scope.length > 0 ? scope : claimList(payload, 'scp');
}

/** Built-in group names a token must not smuggle in. */
export function withoutBuiltins(groups: readonly string[]): string[] {
  return groups.filter((g) => !g.startsWith('$'));
}
