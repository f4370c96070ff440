import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PlanCache } from '../../../src/catalog/PlanCache.js';
import type { Visibility } from '../../../src/catalog/visibility.js';

const view = (): Visibility => ({ admin: false, registries: [0], canSee: () => true });

describe('PlanCache: reused only for the same caller view, request and model state', () => {
  it('reuses a plan for the same view and key at the same state, and plans again otherwise', () => {
    let state = 'a';
    const cache = new PlanCache<{ rows: number[]; n: number }>(() => state);
    let planned = 0;
    const plan = () => ({ rows: [1, 2], n: ++planned });
    const v1 = view();
    const v2 = view();
    assert.equal(cache.plan(v1, 'k', plan)?.n, 1);
    assert.equal(cache.plan(v1, 'k', plan)?.n, 1, 'same view, key and state: reused');
    assert.equal(cache.plan(v2, 'k', plan)?.n, 2, 'another caller view plans its own');
    assert.equal(cache.plan(v1, 'other', plan)?.n, 3, 'another request plans its own');
    state = 'b';
    assert.equal(cache.plan(v1, 'k', plan)?.n, 4, 'any change of the model forgets every plan');
    assert.equal(cache.plan(v1, 'k', () => undefined)?.n, 4);
  });

  it('remembers "nothing visible" too, and forgets everything past its row budget', () => {
    const cache = new PlanCache<{ rows: number[] }>(() => 's');
    const v = view();
    let calls = 0;
    assert.equal(cache.plan(v, 'none', () => (calls++, undefined)), undefined);
    assert.equal(cache.plan(v, 'none', () => (calls++, undefined)), undefined);
    assert.equal(calls, 1);
    const big = { rows: new Array<number>(25_000).fill(0) };
    cache.plan(v, 'big', () => big);
    let replanned = false;
    cache.plan(v, 'none', () => ((replanned = true), undefined));
    assert.ok(replanned, 'past the budget, plans are forgotten');
  });
});
