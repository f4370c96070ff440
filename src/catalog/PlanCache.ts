import type { Visibility } from './visibility.js';

/** Most rows (plus one per plan) remembered at one model state: a few MB at most. */
const MAX_WEIGHT = 20_000;

/**
 * Reads planned on the read model (rows, entity tag, how to wrap them), reused by later requests
 * of the same caller view for the same route and parameters while the model stays at the same
 * state, up to a bounded number of rows. It can never serve a stale plan: a plan is a function of the model, the caller's view, the
 * request and the tombstone cutoff, and every change of the model or of the cutoff (`stateOf`)
 * forgets every plan. Views are the access policy's shared per-group-set objects, held weakly.
 */
export class PlanCache<P extends { rows: readonly unknown[] }> {
  private plans = new WeakMap<Visibility, Map<string, P | null>>();
  private weight = 0;
  private state = '';

  /** @param stateOf the model state plans are valid for (applied change id and cutoff) */
  constructor(private readonly stateOf: () => string) {}

  /** The plan of `key` for `view` at the current state, planned by `plan` when not known yet. */
  plan(view: Visibility, key: string, plan: () => P | undefined): P | undefined {
    const state = this.stateOf();
    if (state !== this.state || this.weight >= MAX_WEIGHT) {
      this.plans = new WeakMap();
      this.weight = 0;
      this.state = state;
    }
    let known = this.plans.get(view);
    if (!known) this.plans.set(view, (known = new Map()));
    const hit = known.get(key);
    if (hit !== undefined) return hit ?? undefined;
    const planned = plan();
    known.set(key, planned ?? null);
    this.weight += 1 + (planned?.rows.length ?? 0);
    return planned;
  }
}
