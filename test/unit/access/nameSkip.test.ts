import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anyOf, grantSkip } from '../../../src/access/nameSkip.js';
import { compileGlobs } from '../../../src/access/glob.js';
import { rng } from '../../helpers/rng.js';

// A skip may only jump over names the grant hides: checked against the glob matcher on random
// sorted name lists and random grants.

const PREFIXES = ['io.a', 'io.a/', 'io.b.', 'io.github.x/', 'com.z'];
const PATTERNS = ['*', 'io.a*', 'io.a/*', 'io.b.*', 'com.z/tool', 'io.github.x/*', '*x*', 'io.*/one'];

describe('name skips', () => {
  it('never jump over a name the grant shows, and do jump over hidden ranges', () => {
    const r = rng(7);
    for (let round = 0; round < 300; round++) {
      const names = Array.from({ length: 60 }, () => `${r.pick(PREFIXES)}${r.pick(['one', 'two', 'x1', '/one', '/deep/x'])}`).sort();
      const grants = Array.from({ length: 1 + r.int(2) }, () => ({
        servers: Array.from({ length: 1 + r.int(2) }, () => r.pick(PATTERNS)),
        exclude: r.next() < 0.5 ? [r.pick(PATTERNS.filter((p) => p !== '*'))] : [],
      }));
      const shows = (name: string) => grants.some((g) => !compileGlobs(g.exclude)?.test(name) && (compileGlobs(g.servers)?.test(name) ?? false));
      const skip = anyOf(grants.map(grantSkip));
      for (const name of names) {
        const jump = skip(name);
        assert.ok(jump >= name, 'never backwards');
        for (const other of names) {
          if (other >= name && other < jump) assert.equal(shows(other), false, `${JSON.stringify(grants)}: ${name} -> ${jump} skips ${other}`);
        }
      }
    }
    const anonymous = grantSkip({ servers: ['io.github.modelcontextprotocol/*'], exclude: [] });
    assert.equal(anonymous('com.acme/x'), 'io.github.modelcontextprotocol/');
    assert.equal(anonymous('io.github.zzz/x'), '\uffff');
    assert.equal(grantSkip({ servers: ['*'], exclude: ['io.bench.ns1*'] })('io.bench.ns12/x'), 'io.bench.ns1\uffff');
  });
});
