/** A parsed `/servers/...` sub-path. */
export type ServerPath =
  | { kind: 'versions'; name: string }
  | { kind: 'version'; name: string; version: string }
  | { kind: 'status'; name: string }
  | { kind: 'versionStatus'; name: string; version: string };

/**
 * Parses the decoded path segments after `/servers/`. Server names arrive URL-encoded
 * (`io.github.acme%2Fweather`, one segment) and, from lenient clients, with a literal slash
 * (two segments); both resolve to the same name. Returns undefined for any other shape.
 */
export function parseServerPath(segments: readonly string[]): ServerPath | undefined {
  if (segments.length === 0) return undefined;
  let name: string;
  let rest: readonly string[];
  const first = segments[0] as string;
  if (first.includes('/')) {
    name = first;
    rest = segments.slice(1);
  } else {
    if (segments.length < 2) return undefined;
    name = `${first}/${segments[1] as string}`;
    rest = segments.slice(2);
  }
  if (name.length === 0 || name.length > 512) return undefined;
  if (rest.length === 1 && rest[0] === 'versions') return { kind: 'versions', name };
  if (rest.length === 1 && rest[0] === 'status') return { kind: 'status', name };
  if (rest.length === 2 && rest[0] === 'versions' && (rest[1] as string).length > 0) {
    return { kind: 'version', name, version: rest[1] as string };
  }
  if (rest.length === 3 && rest[0] === 'versions' && (rest[1] as string).length > 0 && rest[2] === 'status') {
    return { kind: 'versionStatus', name, version: rest[1] as string };
  }
  return undefined;
}
