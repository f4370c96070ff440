import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../../src/config/loader.js';
import { configSchema, oidcIssuers } from '../../../src/config/schema.js';

const configDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../config');
const defaultYaml = path.join(configDir, 'default.yaml');
const demoYaml = path.join(configDir, 'demo.yaml');
const defaultText = readFileSync(defaultYaml, 'utf8');

/** An environment without PORT / REDIS_URL, so the files are validated exactly as written. */
const cleanEnv: NodeJS.ProcessEnv = {};

/** The upstream `sync` keys, named literally so a schema change shows up here as well. */
const UPSTREAM_SYNC_KEYS = ['interval', 'fullInterval', 'pageSize', 'timeout', 'maxRequestsPerSecond', 'maxPages', 'maxResponseBytes', 'safetyMargin', 'follow'];

const DOCUMENTED_SECTIONS = ['server', 'redis', 'api', 'publish', 'ui', 'events', 'logging'] as const;

/** Dotted paths of every leaf (non-object, or array) under `value`. */
function leafPaths(value: unknown, prefix: string): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
}

/** True when `key` appears as a YAML key (`key:`), in a setting or in a comment. */
function mentionsKey(text: string, key: string): boolean {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[\\s#{,])${escaped}:`, 'm').test(text);
}

/**
 * Uncomments the commented-out YAML block whose first line is `startLine` (possibly followed by a
 * trailing comment): that line and every following line that starts with the same `<indent>#`.
 * Comment lines nested inside the block stay comments.
 */
function uncommentBlock(text: string, startLine: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trimEnd() === startLine || (l.startsWith(startLine) && /^\s+#/.test(l.slice(startLine.length))));
  assert.ok(start >= 0, `default.yaml should contain the commented example starting with ${JSON.stringify(startLine)}`);
  const col = (lines[start] as string).indexOf('#');
  const marker = `${' '.repeat(col)}#`;
  for (let i = start; i < lines.length && (lines[i] as string).startsWith(marker); i++) {
    const line = lines[i] as string;
    lines[i] = line.slice(0, col) + line.slice(col + (line[col + 1] === ' ' ? 2 : 1));
  }
  return lines.join('\n');
}

/** Validates YAML text by writing it to a temporary file and loading it like a real config. */
function loadText(text: string, env: NodeJS.ProcessEnv) {
  const dir = mkdtempSync(path.join(tmpdir(), 'gw-default-yaml-'));
  try {
    const file = path.join(dir, 'config.yaml');
    writeFileSync(file, text);
    return loadConfig(file, env).config;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('config/default.yaml', () => {
  it('is a valid configuration that needs no network and no secrets', () => {
    const { config } = loadConfig(defaultYaml, cleanEnv);
    assert.equal(config.auth.mode, 'none');
    assert.deepEqual(
      config.registries.map((r) => [r.name, r.type]),
      [
        ['internal', 'managed'],
        ['curated', 'file'],
      ],
    );
    const file = config.registries[1];
    assert.ok(file && file.type === 'file');
    assert.equal(file.path, path.join(configDir, 'demo', 'curated.json'), 'file paths resolve against the config file directory');
    assert.equal(config.publish.defaultRegistry, 'internal');
  });

  it('states every default the schema applies (values in the file equal the schema defaults)', () => {
    const { config } = loadConfig(defaultYaml, cleanEnv);
    const defaults = configSchema.parse({ registries: [{ name: 'probe', type: 'managed' }] });
    for (const section of DOCUMENTED_SECTIONS) {
      if (section === 'publish') {
        const { defaultRegistry: _ignored, ...rest } = config.publish;
        assert.deepEqual(rest, defaults.publish, 'publish');
      } else {
        assert.deepEqual(config[section], defaults[section], section);
      }
    }
  });

  it('mentions every key of server, redis, api, publish and logging', () => {
    const defaults = configSchema.parse({ registries: [{ name: 'probe', type: 'managed' }] });
    const keys = new Set<string>();
    for (const section of DOCUMENTED_SECTIONS) {
      for (const p of leafPaths(defaults[section], '')) keys.add(p.split('.').pop() as string);
      // Optional keys without a default are absent from the parse result: take them from the shape.
      for (const k of Object.keys(configSchema.shape[section].unwrap().shape)) keys.add(k);
    }
    for (const k of ['publicUrl', 'defaultRegistry', 'port', 'url', 'maxPageSize', 'level']) assert.ok(keys.has(k), `key walk found ${k}`);
    const missing = [...keys].filter((k) => !mentionsKey(defaultText, k));
    assert.deepEqual(missing, [], `config/default.yaml does not document: ${missing.join(', ')}`);
  });

  it('mentions every upstream sync key, and the literal list matches the schema', () => {
    const parsed = configSchema.parse({ registries: [{ name: 'probe', type: 'upstream', url: 'https://registry.example.com' }] });
    const upstream = parsed.registries[0];
    assert.ok(upstream && upstream.type === 'upstream');
    assert.deepEqual(Object.keys(upstream.sync).sort(), [...UPSTREAM_SYNC_KEYS].sort(), 'UPSTREAM_SYNC_KEYS is out of date with the schema');
    const missing = UPSTREAM_SYNC_KEYS.filter((k) => !mentionsKey(defaultText, k));
    assert.deepEqual(missing, [], `config/default.yaml does not document sync keys: ${missing.join(', ')}`);
  });

  it('mentions the documented environment overrides, the name rule and the reserved names', () => {
    for (const word of ['PORT', 'REDIS_URL', 'GATEWAY_CONFIG', 'LOG_LEVEL', 'LOG_FORMAT', '^[a-z0-9][a-z0-9-]{0,62}$', 'reserved', 'priority']) {
      assert.ok(defaultText.includes(word), `default.yaml should mention ${word}`);
    }
  });

  it('has commented-out upstream, oidc and access-rule examples that validate once uncommented', () => {
    let text = uncommentBlock(defaultText, '  # - name: official');
    text = uncommentBlock(text, '  # oidc:').replace(/^ {2}mode: none$/m, '  mode: oidc');
    text = uncommentBlock(text.replace(/^ {2}rules: \[\]\n/m, ''), '  # rules:');
    const env = { OFFICIAL_TOKEN: 'token', OIDC_CLIENT_SECRET: 'secret', UI_CLIENT_SECRET: 'secret' };
    const config = loadText(text.replace(/path: demo\/curated\.json/, `path: ${JSON.stringify(path.join(configDir, 'demo', 'curated.json'))}`), env);
    assert.deepEqual(
      config.registries.map((r) => r.name),
      ['internal', 'curated', 'official'],
    );
    const official = config.registries[2];
    assert.ok(official && official.type === 'upstream');
    assert.equal(official.url, 'https://registry.modelcontextprotocol.io');
    assert.deepEqual(Object.keys(official.sync).sort(), [...UPSTREAM_SYNC_KEYS].sort());
    assert.equal(official.auth?.tokenEnv, 'OFFICIAL_TOKEN');
    assert.deepEqual(official.filter.include, ['io.github.*']);
    assert.equal(config.auth.mode, 'oidc');
    assert.equal(oidcIssuers(config)[0]?.introspection?.clientSecretEnv, 'OIDC_CLIENT_SECRET');
    assert.equal(oidcIssuers(config)[0]?.ui?.clientId, 'mcp-console');
    assert.deepEqual(
      config.access.rules.map((r) => r.groups),
      [['$anonymous'], ['$authenticated'], ['platform']],
    );
    assert.deepEqual(config.access.rules[2]?.publish, ['com.acme/*']);
  });
});

describe('config/demo.yaml', () => {
  it('is a valid configuration', () => {
    const { config } = loadConfig(demoYaml, cleanEnv);
    assert.equal(config.auth.mode, 'none');
    assert.ok(config.registries.length >= 1);
    for (const r of config.registries) {
      if (r.type === 'file') assert.ok(path.isAbsolute(r.path) && r.path.startsWith(path.join(configDir, 'demo')), r.path);
    }
  });
});
