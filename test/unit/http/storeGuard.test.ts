import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { guardedStore } from '../../../src/catalog/storeUnavailable.js';
import { NotFoundError, ServiceUnavailableError } from '../../../src/errors.js';

class Store {
  #calls = 0;
  readonly label = 'store';
  async ok(n: number): Promise<number> {
    this.#calls++;
    return n * 2;
  }
  async down(): Promise<never> {
    throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
  }
  async missing(): Promise<never> {
    throw new NotFoundError('Server not found');
  }
  count(): number {
    return this.#calls;
  }
}

describe('guardedStore (the one store guard)', () => {
  it('passes results, properties and synchronous methods through, on the real instance (private fields work)', async () => {
    const store = guardedStore(new Store());
    assert.equal(await store.ok(21), 42);
    assert.equal(store.count(), 1);
    assert.equal(store.label, 'store');
    assert.equal(store.ok, store.ok, 'wrapped methods are cached');
  });

  it('turns infrastructure failures into a 503 with Retry-After and the cause kept for the log', async () => {
    await assert.rejects(guardedStore(new Store()).down(), (err: unknown) => {
      assert.ok(err instanceof ServiceUnavailableError);
      assert.equal(err.code, 'SERVICE_UNAVAILABLE');
      assert.deepEqual(err.headers, { 'Retry-After': '5' });
      assert.doesNotMatch(err.message, /ECONNREFUSED|6379/);
      assert.match((err.cause as Error).message, /ECONNREFUSED/);
      return true;
    });
  });

  it('lets domain errors through unchanged', async () => {
    await assert.rejects(guardedStore(new Store()).missing(), NotFoundError);
  });
});
