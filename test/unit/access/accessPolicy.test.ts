import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AccessPolicy } from '../../../src/access/AccessPolicy.js';
import { compileGlobs } from '../../../src/access/glob.js';
import { anonymousPrincipal, authenticatedPrincipal } from '../../../src/access/principal.js';

const registries = ['internal', 'official', 'curated'];
const rule = (r: Record<string, unknown>) => ({ registries: ['*'], servers: ['*'], exclude: [], publish: [], ...r }) as never;

describe('compileGlobs', () => {
  it('* matches any run of characters including /', () => {
    const re = compileGlobs(['io.github.*']);
    assert.ok(re?.test('io.github.acme/weather'));
    assert.ok(!re?.test('io.gitlab.acme/weather'));
    assert.ok(!re?.test('xio.github.a/b'), 'anchored');
    assert.ok(compileGlobs(['a.b/c'])?.test('a.b/c'));
    assert.ok(!compileGlobs(['a.b/c'])?.test('aXb/c'), 'dots are literal');
    assert.equal(compileGlobs([]), null);
  });
  it('is case-sensitive', () => {
    assert.ok(!compileGlobs(['com.acme/*'])?.test('com.ACME/x'));
  });
});

describe('AccessPolicy', () => {
  it('with no rules everyone sees everything', () => {
    const view = new AccessPolicy({ admins: [], rules: [] }, registries).viewFor(anonymousPrincipal());
    assert.deepEqual(view.registries, [0, 1, 2]);
    assert.ok(view.canSee(1, 'any/thing'));
    assert.equal(view.admin, false);
  });

  it('a caller sees the union of the rules that match its groups', () => {
    const policy = new AccessPolicy(
      {
        admins: ['registry-admins'],
        rules: [
          rule({ groups: ['$anonymous'], registries: ['official'], servers: ['io.github.modelcontextprotocol/*'] }),
          rule({ groups: ['$authenticated'], exclude: ['io.github.untrusted/*'] }),
          rule({ groups: ['platform'], registries: ['internal'], publish: ['com.acme/*'] }),
        ],
      },
      registries,
    );
    const anon = policy.viewFor(anonymousPrincipal());
    assert.deepEqual(anon.registries, [1]);
    assert.ok(anon.canSee(1, 'io.github.modelcontextprotocol/filesystem'));
    assert.ok(!anon.canSee(1, 'io.github.other/x'));
    assert.ok(!anon.canSee(0, 'io.github.modelcontextprotocol/filesystem'));

    const dev = policy.viewFor(authenticatedPrincipal('dev', ['engineering']));
    assert.deepEqual(dev.registries, [0, 1, 2]);
    assert.ok(dev.canSee(2, 'io.github.acme/x'));
    assert.ok(!dev.canSee(2, 'io.github.untrusted/evil'));
    assert.ok(!dev.canPublish(0, 'com.acme/x'));

    const platform = policy.viewFor(authenticatedPrincipal('p', ['platform']));
    assert.ok(platform.canPublish(0, 'com.acme/tool'));
    assert.ok(!platform.canPublish(0, 'com.other/tool'));
    assert.ok(!platform.canPublish(1, 'com.acme/tool'));

    const admin = policy.viewFor(authenticatedPrincipal('a', ['registry-admins']));
    assert.equal(admin.admin, true);
    assert.ok(admin.canSee(2, 'io.github.untrusted/evil'));
    assert.ok(admin.canPublish(1, 'anything/at-all'));
  });

  it('a caller matching no rule sees nothing', () => {
    const policy = new AccessPolicy({ admins: [], rules: [rule({ groups: ['x'] })] }, registries);
    const view = policy.viewFor(anonymousPrincipal());
    assert.deepEqual(view.registries, []);
    assert.ok(!view.canSee(0, 'a/b'));
  });
});
