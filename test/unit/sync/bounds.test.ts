import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundsProblem, ENTRY_LIMITS, parseItem } from '../../../src/sync/entries.js';

const nested = (levels: number): unknown => {
  let v: unknown = 'leaf';
  for (let i = 0; i < levels; i++) v = i % 2 ? [v] : { k: v };
  return v;
};

describe('entry bounds', () => {
  it('allows exactly maxDepth levels of containers, refuses one more, naming the path', () => {
    assert.equal(boundsProblem(nested(ENTRY_LIMITS.maxDepth), 'body'), undefined);
    const problem = boundsProblem({ a: { b: [nested(ENTRY_LIMITS.maxDepth)] } }, 'body');
    assert.match(problem ?? '', /^is nested more than 32 levels deep \(at body\.a\.b\[0\]/);
  });

  it('handles 200,000 levels without recursion', () => {
    const deep = JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`) as unknown;
    assert.match(boundsProblem(deep, 'entry') ?? '', /nested more than 32 levels/);
  });

  it('refuses values beyond maxBytes, wide or long', () => {
    assert.match(boundsProblem({ d: 'x'.repeat(ENTRY_LIMITS.maxBytes) }, 'entry') ?? '', /larger than 262144 bytes/);
    assert.match(boundsProblem(Array.from({ length: 100_000 }, () => 1), 'entry') ?? '', /larger than/);
    assert.equal(boundsProblem({ d: 'x'.repeat(ENTRY_LIMITS.maxBytes - 100) }, 'entry'), undefined);
  });

  it('parseItem skips such entries with the reason and the name', () => {
    const r = parseItem({ server: { name: 'io.x/deep', version: '1.0.0', _meta: { x: nested(100) } } });
    assert.ok(!('server' in r));
    assert.equal(r.name, 'io.x/deep');
    assert.match(r.reason, /^entry is nested more than 32 levels deep \(at entry\.server\._meta\.x/);
  });
});
