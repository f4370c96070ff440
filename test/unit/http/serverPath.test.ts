import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseServerPath } from '../../../src/http/serverPath.js';

describe('parseServerPath', () => {
  it('accepts the URL-encoded name (one decoded segment)', () => {
    assert.deepEqual(parseServerPath(['io.github.acme/weather', 'versions']), { kind: 'versions', name: 'io.github.acme/weather' });
    assert.deepEqual(parseServerPath(['io.github.acme/weather', 'versions', '1.0.0+build.1']), {
      kind: 'version',
      name: 'io.github.acme/weather',
      version: '1.0.0+build.1',
    });
  });
  it('accepts a literal slash in the name', () => {
    assert.deepEqual(parseServerPath(['io.github.acme', 'weather', 'versions', 'latest']), {
      kind: 'version',
      name: 'io.github.acme/weather',
      version: 'latest',
    });
  });
  it('rejects other shapes', () => {
    assert.equal(parseServerPath([]), undefined);
    assert.equal(parseServerPath(['io.github.acme']), undefined);
    assert.equal(parseServerPath(['io.github.acme/weather']), undefined);
    assert.equal(parseServerPath(['io.github.acme/weather', 'other']), undefined);
    assert.equal(parseServerPath(['io.github.acme/weather', 'versions', '']), undefined);
    assert.equal(parseServerPath(['a/b', 'versions', '1', 'x', 'y']), undefined);
  });
});
