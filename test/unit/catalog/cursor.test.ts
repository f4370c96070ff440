import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CursorCodec } from '../../../src/catalog/cursor.js';
import { InputError } from '../../../src/errors.js';

const codec = new CursorCodec(Buffer.from('k'.repeat(32)));

describe('CursorCodec', () => {
  it('round-trips names and versions with awkward characters', () => {
    for (const position of [
      { name: 'io.github.acme/weather', version: '1.0.0+build.5' },
      { name: 'a/b', version: 'v:1:2' },
      { name: 'x.y/z', version: 'ünïcode 1' },
    ]) {
      const token = codec.encode('aggregate', position);
      assert.match(token, /^[A-Za-z0-9_.-]+$/, 'URL-safe');
      assert.deepEqual(codec.decode('aggregate', token), position);
    }
  });

  it('rejects a tampered payload or signature with InputError', () => {
    const token = codec.encode('aggregate', { name: 'a/b', version: '1.0.0' });
    const [payload, sig] = token.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify([1, 'aggregate', 'a/c', '1.0.0'])).toString('base64url');
    assert.throws(() => codec.decode('aggregate', `${forged}.${sig}`), InputError);
    assert.throws(() => codec.decode('aggregate', `${payload}.${sig.slice(0, -2)}AA`), InputError);
    assert.throws(() => codec.decode('aggregate', `${payload}`), InputError);
    assert.throws(() => codec.decode('aggregate', 'a/b:1.0.0'), InputError);
    assert.throws(() => codec.decode('aggregate', 'x'.repeat(5000)), InputError);
  });

  it('rejects a cursor from another scope or another gateway', () => {
    const token = codec.encode('registry:one', { name: 'a/b', version: '1' });
    assert.throws(() => codec.decode('aggregate', token), /different route/);
    const other = new CursorCodec(Buffer.from('z'.repeat(32)));
    assert.throws(() => other.decode('registry:one', token), /signature/);
  });
});
