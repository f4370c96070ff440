/**
 * What the catalogue needs to know about a caller's visibility, pushed into every query so pages
 * are full and counts true. The access package implements it (one evaluator for every route).
 */
export interface Visibility {
  /** Sees everything (no per-name evaluation needed). */
  readonly admin: boolean;
  /** Priority indexes of the registries the caller may see anything in, ascending. */
  readonly registries: readonly number[];
  /** True when the caller may see `name` in registry `i`. */
  canSee(i: number, name: string): boolean;
}

/** Which catalogue a query reads: the aggregated one, or one registry's own. */
export type Scope = { kind: 'aggregate' } | { kind: 'registry'; index: number };
