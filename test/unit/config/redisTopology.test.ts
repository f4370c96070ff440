import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../../src/config/loader.js';
import { ConfigError } from '../../../src/errors.js';
import { describeRedis, redisTarget } from '../../../src/redis/redisOptions.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const registries = [{ name: 'internal', type: 'managed' }];

function problemsOf(raw: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig({ registries, ...raw }, '/x/gw.yaml', env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('redis topology config (DESIGN §4)', () => {
  it('defaults to one local node, with bounded command and connect timeouts', () => {
    const c = parseConfig({ registries }, '/x/gw.yaml', {});
    assert.equal(c.redis.url, undefined);
    assert.equal(c.redis.commandTimeout, 2000);
    assert.equal(c.redis.connectTimeout, 5000);
    const t = redisTarget(c.redis, {}, { use: 'api', name: 'n' });
    assert.ok(t.kind === 'single');
    assert.equal(t.url, 'redis://127.0.0.1:6379');
    assert.equal(t.options.commandTimeout, 2000);
    assert.equal(t.options.enableOfflineQueue, false);
  });

  it('only the API times commands out; BullMQ clients queue and never give up a command', () => {
    const c = parseConfig({ registries }, '/x/gw.yaml', {});
    const worker = redisTarget(c.redis, {}, { use: 'worker', name: 'n' });
    assert.ok(worker.kind === 'single');
    const queue = redisTarget(c.redis, {}, { use: 'queue', name: 'n' });
    assert.equal(worker.options.commandTimeout, undefined);
    assert.ok(queue.kind === 'single');
    assert.equal(queue.options.maxRetriesPerRequest, null);
    assert.equal(queue.options.enableOfflineQueue, true);
  });

  it('rejects more than one topology, naming the block (REDIS_URL counts as url)', () => {
    const sentinel = { masterName: 'm', nodes: ['127.0.0.1:26379'] };
    assert.deepEqual(problemsOf({ redis: { url: 'redis://a:1', sentinel } }), ['redis: set exactly one of url, sentinel, cluster (found url and sentinel; env REDIS_URL sets url)']);
    assert.match(problemsOf({ redis: { sentinel } }, { REDIS_URL: 'redis://b:2' })[0] ?? '', /^redis: set exactly one/);
    assert.match(problemsOf({ redis: { sentinel, cluster: { nodes: ['redis://a:7000'] } } })[0] ?? '', /found sentinel and cluster/);
  });

  it('explains a bad sentinel or cluster block by path', () => {
    const problems = problemsOf({ redis: { sentinel: { nodes: ['no-port', 'h:26379'], passwordEnv: 'not valid', extra: 1 } } });
    assert.ok(problems.includes('redis.sentinel.masterName: Invalid input: expected string, received undefined'), problems.join('\n'));
    assert.ok(problems.includes('redis.sentinel.nodes[0]: must be host:port'), problems.join('\n'));
    assert.ok(problems.includes('redis.sentinel.passwordEnv: must be the name of an environment variable'), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('redis.sentinel: Unrecognized key') && p.includes('extra')), problems.join('\n'));
    assert.deepEqual(problemsOf({ redis: { cluster: { nodes: ['http://a:7000'] } } }), ['redis.cluster.nodes[0]: must be a redis:// or rediss:// URL']);
    assert.deepEqual(problemsOf({ redis: { cluster: { nodes: [] } } }), ['redis.cluster.nodes: at least one node']);
    assert.deepEqual(problemsOf({ redis: { url: 'redis://a:1', tls: {} } }), ['redis.tls: redis.url must use rediss:// for TLS']);
    assert.deepEqual(problemsOf({ redis: { url: 'rediss://a:1', tls: { caFile: 'missing-ca.pem' } } }), ['redis.tls.caFile: file not found: /x/missing-ca.pem']);
  });

  it('reads passwords only from the env vars the config names, and reports unset ones by path', () => {
    assert.deepEqual(problemsOf({ redis: { sentinel: { masterName: 'm', nodes: ['h:1'], passwordEnv: 'RP', sentinelPasswordEnv: 'SP' } } }), [
      'redis.sentinel.passwordEnv: environment variable RP is not set',
      'redis.sentinel.sentinelPasswordEnv: environment variable SP is not set',
    ]);
    const env = { RP: 'data-secret', SP: 'sentinel-secret' };
    const c = parseConfig({ registries, redis: { sentinel: { masterName: 'm', nodes: ['10.0.0.1:26379', '[::1]:26380'], passwordEnv: 'RP', sentinelPasswordEnv: 'SP' }, tls: {} } }, '/x/gw.yaml', env);
    const t = redisTarget(c.redis, env, { use: 'api', name: 'n' });
    assert.ok(t.kind === 'single' && t.url === undefined);
    assert.deepEqual(t.options.sentinels, [
      { host: '10.0.0.1', port: 26379 },
      { host: '::1', port: 26380 },
    ]);
    assert.equal(t.options.name, 'm');
    assert.equal(t.options.password, 'data-secret');
    assert.equal(t.options.sentinelPassword, 'sentinel-secret');
    assert.equal(t.options.enableTLSForSentinelMode, true);
    assert.doesNotMatch(describeRedis(c.redis), /secret/);
  });

  it('builds cluster seeds with the password and TLS in every node connection', () => {
    const env = { RP: 'pw' };
    const c = parseConfig({ registries, redis: { cluster: { nodes: ['rediss://10.0.0.1:7000', 'redis://10.0.0.2:7001'], passwordEnv: 'RP' } } }, '/x/gw.yaml', env);
    const t = redisTarget(c.redis, env, { use: 'queue', name: 'n' });
    assert.ok(t.kind === 'cluster');
    assert.deepEqual(t.nodes, [
      { host: '10.0.0.1', port: 7000 },
      { host: '10.0.0.2', port: 7001 },
    ]);
    assert.equal(t.options.redisOptions?.password, 'pw');
    assert.deepEqual(t.options.redisOptions?.tls, {});
    assert.equal(t.options.redisOptions?.maxRetriesPerRequest, null);
    assert.equal(t.options.enableOfflineQueue, true);
  });

  it('check-config prints a bad redis block by path and exits 2', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gw-redis-cfg-'));
    const file = path.join(dir, 'gw.yaml');
    writeFileSync(file, 'registries: [{ name: internal, type: managed }]\nredis:\n  url: redis://127.0.0.1:6379\n  cluster: { nodes: ["127.0.0.1:7000"] }\n');
    const r = spawnSync(process.execPath, [path.join(root, 'bin', 'mcp-registry-gateway.js'), 'check-config', file], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /redis\.cluster\.nodes\[0\]: must be a redis:\/\/ or rediss:\/\/ URL/);
    assert.match(r.stderr, /redis: set exactly one of url, sentinel, cluster/);
  });
});
