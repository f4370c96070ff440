import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareForLatest, isSemver, pickLatest } from '../../../src/catalog/versionOrder.js';

const v = (version: string, publishedAt = '2025-01-01T00:00:00Z', status = 'active') => ({ version, publishedAt, status });

describe('isSemver', () => {
  it('accepts full semver with prerelease/build and a v prefix', () => {
    for (const s of ['1.2.3', '0.0.1-seed', '1.2.3-rc.1+build.5', 'v2.0.0']) assert.equal(isSemver(s), true, s);
  });
  it('rejects partial or free-form versions', () => {
    for (const s of ['1.2', '1', 'latest', '2024-01-01', 'build-7', '']) assert.equal(isSemver(s), false, s);
  });
});

describe('compareForLatest (official rules)', () => {
  it('orders two semver versions by precedence, not publish time', () => {
    assert.ok(compareForLatest(v('1.10.0', '2025-01-01T00:00:00Z'), v('1.9.0', '2025-06-01T00:00:00Z')) > 0);
  });
  it('a release beats its prerelease even when the prerelease is published later', () => {
    assert.ok(compareForLatest(v('1.2.3', '2025-01-01T00:00:00Z'), v('1.2.3-1', '2025-02-01T00:00:00Z')) > 0);
  });
  it('two non-semver versions: newer publishedAt wins', () => {
    assert.ok(compareForLatest(v('beta', '2025-03-01T00:00:00Z'), v('alpha', '2025-02-01T00:00:00Z')) > 0);
    assert.ok(compareForLatest(v('alpha', '2025-01-01T00:00:00Z'), v('beta', '2025-02-01T00:00:00Z')) < 0);
  });
  it('semver beats non-semver whatever the publish times', () => {
    assert.ok(compareForLatest(v('0.0.1', '2020-01-01T00:00:00Z'), v('nightly', '2026-01-01T00:00:00Z')) > 0);
    assert.ok(compareForLatest(v('nightly', '2026-01-01T00:00:00Z'), v('0.0.1', '2020-01-01T00:00:00Z')) < 0);
  });
  it('is deterministic on full ties', () => {
    assert.ok(compareForLatest(v('b'), v('a')) > 0);
    assert.equal(compareForLatest(v('a'), v('a')), 0);
  });
});

describe('pickLatest', () => {
  it('returns undefined for no versions', () => {
    assert.equal(pickLatest([]), undefined);
  });
  it('deleted versions never win while a live one exists', () => {
    const latest = pickLatest([v('2.0.0', undefined, 'deleted'), v('1.0.0'), v('1.5.0', undefined, 'deprecated')]);
    assert.equal(latest?.version, '1.5.0');
  });
  it('when every version is deleted the highest deleted one keeps the flag', () => {
    assert.equal(pickLatest([v('1.0.0', undefined, 'deleted'), v('3.0.0', undefined, 'deleted')])?.version, '3.0.0');
  });
  it('mixed semver / prerelease / non-semver', () => {
    const latest = pickLatest([v('1.0.0'), v('1.1.0-beta.1'), v('nightly', '2030-01-01T00:00:00Z'), v('0.9.0')]);
    assert.equal(latest?.version, '1.1.0-beta.1');
  });
});
