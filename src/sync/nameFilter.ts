import { compileGlobs } from '../access/glob.js';

/** A registry's `filter` (include/exclude name globs), compiled once. */
export type NameFilter = (name: string) => boolean;

/** Compiles `{include, exclude}`; an entry is kept when it matches an include and no exclude. */
export function compileNameFilter(filter: { include: readonly string[]; exclude: readonly string[] }): NameFilter {
  const include = compileGlobs(filter.include);
  const exclude = compileGlobs(filter.exclude);
  return (name) => (include?.test(name) ?? false) && !(exclude?.test(name) ?? false);
}
