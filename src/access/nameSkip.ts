/**
 * Where the next name that a grant might show can be, so scans of the sorted catalogue jump over
 * whole ranges of invisible names instead of evaluating each (an anonymous caller who sees one
 * namespace, or an `exclude: ["io.bench.ns1*"]`, would otherwise cost a rule evaluation per name).
 * Only what is certain is used: pure prefix globs (`P*`) and exact names; anything else skips
 * nothing.
 */

/** Sorts after every string that starts with a given prefix (UTF-16 code unit order). */
const PAST = '\uffff';

/** A grant's name patterns, as configured. */
export interface GrantPatterns {
  servers: readonly string[];
  exclude: readonly string[];
}

/** From `name`, the first name this grant might show (`name` itself when it may show it). */
export type SkipFn = (name: string) => string;

const isPrefixGlob = (p: string) => p.endsWith('*') && p.indexOf('*') === p.length - 1;

/** Compiles one grant's skip function. */
export function grantSkip(g: GrantPatterns): SkipFn {
  const excluded = g.exclude.filter(isPrefixGlob).map((p) => p.slice(0, -1));
  const all = g.servers.includes('*');
  const ranges = g.servers.every((p) => !p.includes('*') || isPrefixGlob(p))
    ? g.servers.map((p) => (isPrefixGlob(p) ? { from: p.slice(0, -1), to: p.slice(0, -1) + PAST } : { from: p, to: `${p}\u0000` })).sort((a, b) => (a.from < b.from ? -1 : 1))
    : undefined;
  return (name) => {
    let jump = name;
    for (const p of excluded) if (name.startsWith(p) && p + PAST > jump) jump = p + PAST;
    if (all || !ranges) return jump;
    // The next allowed range at or after `name`; none left: past every name.
    for (const r of ranges) {
      if (name < r.to) return name >= r.from ? jump : r.from > jump ? r.from : jump;
    }
    return PAST;
  };
}

/** Combines grants: a name is hidden only where every grant hides it. */
export function anyOf(skips: readonly SkipFn[]): SkipFn {
  if (skips.length === 1) return skips[0] as SkipFn;
  return (name) => {
    let best: string | undefined;
    for (const s of skips) {
      const j = s(name);
      if (j === name) return name;
      if (best === undefined || j < best) best = j;
    }
    return best ?? name;
  };
}
