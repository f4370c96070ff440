import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeadProbe } from '../../../src/catalog/HeadProbe.js';

/** A probe whose queries are answered by hand: `answer(k, id)` settles query k with `id`. */
function manualProbe() {
  const pending: Array<(id: string) => void> = [];
  const failing: Array<(err: Error) => void> = [];
  const probe = new HeadProbe(
    () =>
      new Promise<string>((resolve, reject) => {
        pending.push(resolve);
        failing.push(reject);
      }),
  );
  const flush = () => new Promise((r) => setImmediate(r));
  return { probe, pending, failing, flush, answer: async (k: number, id: string) => (pending[k]?.(id), flush()) };
}

describe('HeadProbe: shared freshness checks that never answer with an older query', () => {
  it('the first caller sends a query; callers during it share exactly one later query', async () => {
    const { probe, pending, answer } = manualProbe();
    const first = probe.head();
    assert.equal(pending.length, 1);
    const during = [probe.head(), probe.head(), probe.head()];
    assert.equal(pending.length, 1, 'no query sent while one is in flight');
    await answer(0, '1-0');
    assert.equal(await first, '1-0');
    assert.equal(pending.length, 2, 'one query for everyone who asked during the first');
    await answer(1, '2-0');
    assert.deepEqual(await Promise.all(during), ['2-0', '2-0', '2-0'], 'never the answer of a query sent before they asked');
  });

  it('a caller after everything settled sends its own query', async () => {
    const { probe, pending, answer } = manualProbe();
    const a = probe.head();
    await answer(0, '1-0');
    assert.equal(await a, '1-0');
    const b = probe.head();
    assert.equal(pending.length, 2);
    await answer(1, '3-0');
    assert.equal(await b, '3-0');
  });

  it('a failed query fails its callers only; those waiting for the next one get its answer', async () => {
    const { probe, pending, failing, flush, answer } = manualProbe();
    const a = probe.head();
    const b = probe.head();
    failing[0]?.(new Error('down'));
    await flush();
    await assert.rejects(a, /down/);
    assert.equal(pending.length, 2);
    await answer(1, '5-0');
    assert.equal(await b, '5-0');
  });
});
