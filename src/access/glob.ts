/** A compiled set of name globs. */
export interface GlobMatcher {
  /** True when `name` matches at least one of the globs. */
  test(name: string): boolean;
}

/** One glob split at its stars: `a*b*c` is prefix `a`, middle `[b]`, suffix `c`. */
interface CompiledGlob {
  exact: string | undefined;
  prefix: string;
  middle: string[];
  suffix: string;
  minLength: number;
}

function compileOne(pattern: string): CompiledGlob {
  const parts = pattern.split('*');
  if (parts.length === 1) return { exact: pattern, prefix: '', middle: [], suffix: '', minLength: pattern.length };
  const prefix = parts[0] as string;
  const suffix = parts[parts.length - 1] as string;
  const middle = parts.slice(1, -1).filter((p) => p !== '');
  return { exact: undefined, prefix, middle, suffix, minLength: prefix.length + suffix.length + middle.reduce((n, p) => n + p.length, 0) };
}

/**
 * Stars match any run, so the leftmost occurrence of each middle part is always a valid choice:
 * one left-to-right scan decides the match, with no backtracking (time linear in the name for
 * each part, unlike a `.*` regex, which can take exponential time on `*a*a*a*b`).
 */
function matchOne(g: CompiledGlob, name: string): boolean {
  if (g.exact !== undefined) return name === g.exact;
  if (name.length < g.minLength || !name.startsWith(g.prefix) || !name.endsWith(g.suffix)) return false;
  let at = g.prefix.length;
  const end = name.length - g.suffix.length;
  for (const part of g.middle) {
    const found = name.indexOf(part, at);
    if (found === -1 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

/**
 * Compiles name globs into one case-sensitive matcher anchored at both ends. `*` matches any run
 * of characters, `/` included (DESIGN §3); every other character is literal. Matching never
 * backtracks. Returns null for an empty list.
 */
export function compileGlobs(patterns: readonly string[]): GlobMatcher | null {
  if (patterns.length === 0) return null;
  const globs = patterns.map(compileOne);
  return { test: (name) => globs.some((g) => matchOne(g, name)) };
}

/** True when `patterns` matches every possible name (contains a bare `*`). */
export function matchesEverything(patterns: readonly string[]): boolean {
  return patterns.includes('*');
}
