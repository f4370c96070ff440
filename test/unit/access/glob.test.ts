import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileGlobs } from '../../../src/access/glob.js';

/** The obvious definition, by dynamic programming over (pattern, name) positions: the oracle. */
function reference(pattern: string, name: string): boolean {
  let row = new Array<boolean>(name.length + 1).fill(false);
  row[0] = true;
  for (const ch of pattern) {
    const next = new Array<boolean>(name.length + 1).fill(false);
    if (ch === '*') {
      let any = false;
      for (let j = 0; j <= name.length; j++) next[j] = any ||= row[j] as boolean;
    } else {
      for (let j = 1; j <= name.length; j++) next[j] = (row[j - 1] as boolean) && name[j - 1] === ch;
    }
    row = next;
  }
  return row[name.length] as boolean;
}

function randomString(alphabet: string, max: number, rnd: () => number): string {
  let s = '';
  const n = Math.floor(rnd() * (max + 1));
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(rnd() * alphabet.length)];
  return s;
}

describe('glob matching', () => {
  it('agrees with the definition on thousands of random patterns and names', () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 5000; i++) {
      const pattern = randomString('ab*/.', 7, rnd);
      const name = randomString('ab/.', 9, rnd);
      assert.equal(compileGlobs([pattern])?.test(name), reference(pattern, name), `${pattern} vs ${name}`);
    }
  });

  it('matches against any of several globs, literally apart from *', () => {
    const m = compileGlobs(['com.acme/*', 'io.github.*/mcp-*', 'exact/name']);
    assert.ok(m?.test('com.acme/x'));
    assert.ok(m?.test('io.github.a/b/mcp-weather'));
    assert.ok(m?.test('exact/name'));
    assert.ok(!m?.test('exact/name2'));
    assert.ok(!compileGlobs(['a.c'])?.test('abc'), 'a dot is literal');
    assert.ok(!compileGlobs(['a+'])?.test('aa'), 'regex syntax is literal');
    assert.ok(compileGlobs(['a*a'])?.test('aa'));
    assert.ok(!compileGlobs(['a*a'])?.test('a'), 'prefix and suffix may not overlap');
  });

  it('takes linear time on patterns that make a backtracking regex explode', () => {
    // A `.*` regex took 21 s for this pair (issue 9).
    const m = compileGlobs(['*a*a*a*a*b', '*a*a*a*a*a*a*a*a*a*c']);
    const name = 'a'.repeat(200);
    const started = performance.now();
    for (let i = 0; i < 1000; i++) assert.equal(m?.test(name), false);
    const long = 'a'.repeat(100_000);
    assert.equal(m?.test(long), false);
    assert.ok(performance.now() - started < 500, `took ${Math.round(performance.now() - started)} ms`);
  });
});
