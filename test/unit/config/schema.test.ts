import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseDuration } from '../../../src/config/duration.js';
import { loadConfig, parseConfig, resolveConfigPath } from '../../../src/config/loader.js';
import { ConfigError } from '../../../src/errors.js';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

const minimal = { registries: [{ name: 'internal', type: 'managed' }] };

describe('parseDuration', () => {
  it('parses units and combinations', () => {
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('30s'), 30_000);
    assert.equal(parseDuration('5m'), 300_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('1d'), 86_400_000);
  });
  it('rejects anything else', () => {
    for (const bad of ['', '10', 'abc', '1 h', '-5s', '5x']) assert.equal(parseDuration(bad), undefined, bad);
  });
});

describe('config schema', () => {
  it('fills every default', () => {
    const c = parseConfig(minimal, '/x/gw.yaml', {});
    assert.equal(c.server.port, 8080);
    assert.equal(c.redis.prefix, 'mcpgw');
    assert.equal(c.api.maxPageSize, 100);
    assert.equal(c.api.defaultPageSize, 30);
    assert.equal(c.auth.mode, 'none');
    assert.deepEqual(c.access.rules, []);
  });

  it('parses upstream sync durations and defaults', () => {
    const c = parseConfig({ registries: [{ name: 'official', type: 'upstream', url: 'https://registry.example.com', sync: { interval: '5m' } }] }, '/x/gw.yaml', {});
    const r = c.registries[0];
    assert.equal(r?.type, 'upstream');
    if (r?.type !== 'upstream') return;
    assert.equal(r.sync.interval, 300_000);
    assert.equal(r.sync.fullInterval, 86_400_000);
    assert.equal(r.sync.pageSize, 100);
    assert.equal(r.sync.maxRequestsPerSecond, 5);
    assert.deepEqual(r.filter, { include: ['*'], exclude: [] });
  });

  it('lists every problem by path', () => {
    const problems = problemsOf(() =>
      parseConfig(
        {
          server: { port: 'x' },
          registries: [
            { name: 'ok', type: 'managed' },
            { name: 'official', type: 'upstream', url: 'not a url', sync: { interval: 'soon' } },
            { name: 'Bad_Name', type: 'file', path: 'a.json' },
            { name: 'v0.1', type: 'managed' },
            { name: 'ok', type: 'managed' },
            { name: 'z', type: 'mystery' },
          ],
          publish: { defaultRegistry: 'official' },
        },
        '/x/gw.yaml',
        {},
      ),
    );
    const text = problems.join('\n');
    assert.match(text, /^server\.port: /m);
    assert.match(text, /^registries\[1\]\.url: Invalid URL$/m);
    assert.match(text, /^registries\[1\]\.sync\.interval: expected a duration/m);
    assert.match(text, /^registries\[2\]\.name: must match/m);
    assert.match(text, /^registries\[3\]\.name: "v0\.1" is reserved/m);
    assert.match(text, /^registries\[5\]\.type: type must be one of: managed, upstream, file/m);
    assert.ok(problems.length >= 6, text);
  });

  it('cross-checks duplicates, default registry type and rule references', () => {
    const problems = problemsOf(() =>
      parseConfig(
        {
          registries: [
            { name: 'a', type: 'managed' },
            { name: 'a', type: 'managed' },
            { name: 'f', type: 'file', path: '/tmp/x.json' },
          ],
          publish: { defaultRegistry: 'f' },
          access: { rules: [{ groups: ['g'], registries: ['nope', 'a*'] }] },
          auth: { mode: 'oidc' },
        },
        '/x/gw.yaml',
        {},
      ),
    ).join('\n');
    assert.match(problems, /registries\[1\]\.name: duplicate registry name "a"/);
    assert.match(problems, /publish\.defaultRegistry: "f" is a file registry/);
    assert.match(problems, /access\.rules\[0\]\.registries\[0\]: no registry named "nope"/);
    assert.match(problems, /auth\.oidc: required when auth\.mode is oidc/);
  });

  it('lists cross-field problems even when other keys are invalid too', () => {
    const problems = problemsOf(() =>
      parseConfig(
        { registries: [{ name: 'up', type: 'upstream', url: 'nope' }], access: { rules: [{ groups: ['g'], registries: ['missing'] }] } },
        '/x/gw.yaml',
        {},
      ),
    ).join('\n');
    assert.match(problems, /registries\[0\]\.url: Invalid URL/);
    assert.match(problems, /access\.rules\[0\]\.registries\[0\]: no registry named "missing"/);
  });

  it('rejects unknown keys (typos) by path', () => {
    const problems = problemsOf(() => parseConfig({ ...minimal, sever: { port: 1 } }, '/x/gw.yaml', {})).join('\n');
    assert.match(problems, /sever/);
  });

  it('applies PORT and REDIS_URL overrides', () => {
    const c = parseConfig({ ...minimal, server: { port: 1 } }, '/x/gw.yaml', { PORT: '9123', REDIS_URL: 'redis://10.0.0.1:6380' });
    assert.equal(c.server.port, 9123);
    assert.equal(c.redis.url, 'redis://10.0.0.1:6380');
  });

  it('requires secret env vars named by the config to be set', () => {
    const raw = { registries: [{ name: 'up', type: 'upstream', url: 'https://r.example.com', auth: { tokenEnv: 'UP_TOKEN' } }] };
    assert.match(problemsOf(() => parseConfig(raw, '/x/gw.yaml', {})).join(), /registries\[0\]\.auth\.tokenEnv: environment variable UP_TOKEN is not set/);
    assert.doesNotThrow(() => parseConfig(raw, '/x/gw.yaml', { UP_TOKEN: 's3cret' }));
  });
});

describe('loadConfig', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcpgw-cfg-'));

  it('reads YAML and resolves file paths against the config directory', () => {
    writeFileSync(path.join(dir, 'data.json'), '[]');
    const file = path.join(dir, 'gw.yaml');
    writeFileSync(file, 'registries:\n  - name: f\n    type: file\n    path: data.json\n');
    const { config } = loadConfig(file, {});
    const r = config.registries[0];
    assert.equal(r?.type === 'file' && r.path, path.join(dir, 'data.json'));
  });

  it('reports YAML syntax errors and missing files', () => {
    const file = path.join(dir, 'broken.yaml');
    writeFileSync(file, 'registries: [\n  - name: x\n');
    assert.match(problemsOf(() => loadConfig(file, {})).join(), /\(yaml\)/);
    assert.match(problemsOf(() => loadConfig(path.join(dir, 'missing.yaml'), {})).join(), /file not found/);
  });

  it('resolves the path from --config, then GATEWAY_CONFIG, else explains', () => {
    assert.equal(resolveConfigPath('/a.yaml', { GATEWAY_CONFIG: '/b.yaml' }), '/a.yaml');
    assert.equal(resolveConfigPath(undefined, { GATEWAY_CONFIG: '/b.yaml' }), '/b.yaml');
    assert.match(problemsOf(() => resolveConfigPath(undefined, {})).join(), /--config FILE or set GATEWAY_CONFIG/);
  });
});
