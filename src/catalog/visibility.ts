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
  /**
   * Optional: the first name at or after `name` that the caller might see in registry `i` (in any
   * of its registries when `i` is undefined); every name before it is certainly invisible. Lets a
   * scan of the sorted catalogue jump over hidden ranges.
   */
  nextVisible?(i: number | undefined, name: string): string;
}

/** Which catalogue a query reads: the aggregated one, or one registry's own. */
export type Scope = { kind: 'aggregate' } | { kind: 'registry'; index: number };
