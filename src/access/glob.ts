/**
 * Compiles name globs into one anchored, case-sensitive RegExp. `*` matches any run of characters,
 * `/` included (DESIGN §3); every other character is literal. Returns null for an empty list.
 */
export function compileGlobs(patterns: readonly string[]): RegExp | null {
  if (patterns.length === 0) return null;
  const parts = patterns.map((p) => p.split('*').map((s) => s.replace(/[\\^$.|?+()[\]{}]/g, '\\$&')).join('.*'));
  return new RegExp(`^(?:${parts.join('|')})$`, 's');
}

/** True when `patterns` matches every possible name (contains a bare `*`). */
export function matchesEverything(patterns: readonly string[]): boolean {
  return patterns.includes('*');
}
