import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { parseConfig } from '../../../src/config/loader.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('docker-compose.ha.yml (API replicas + workers + Redis Sentinel)', () => {
  const compose = parse(readFileSync(path.join(root, 'docker-compose.ha.yml'), 'utf8'), { merge: true }) as Obj;
  const services = compose.services as Record<string, Obj>;
  const configFile = path.join(root, 'deploy', 'docker', 'gateway-ha.yaml');
  const config = parseConfig(parse(readFileSync(configFile, 'utf8')), configFile, {});

  it('runs the API and the workers as separate scaled roles on the mounted Sentinel config', () => {
    assert.deepEqual(services.api?.command, ['serve', '--role', 'api']);
    assert.deepEqual(services.worker?.command, ['serve', '--role', 'worker']);
    for (const role of ['api', 'worker']) {
      const s = services[role] as Obj;
      assert.ok(s.deploy.replicas >= 2, `${role} replicas`);
      const [source, target] = (s.volumes[0] as string).split(':');
      assert.equal(path.resolve(root, source as string), configFile);
      assert.equal(s.environment.GATEWAY_CONFIG, target);
      assert.equal(s.environment.REDIS_URL, undefined, 'REDIS_URL would clash with redis.sentinel');
    }
    assert.equal(services.api?.ports[0], `8080-8081:${config.server.port}`);
  });

  it('names in the gateway config the sentinels and master that the file runs', () => {
    const sentinel = config.redis.sentinel;
    assert.ok(sentinel);
    for (const node of sentinel.nodes) {
      const [host, port] = node.split(':');
      const svc = services[host as string] as Obj;
      assert.ok(svc, `service ${host}`);
      const script = svc.command.join(' ') as string;
      assert.match(script, new RegExp(`port ${port}`));
      assert.match(script, new RegExp(`sentinel monitor ${sentinel.masterName} redis-primary 6379 2`));
      assert.match(script, /--sentinel/);
    }
  });

  it('runs both Redis nodes with AOF and noeviction, the replica following the primary', () => {
    for (const name of ['redis-primary', 'redis-replica']) {
      const cmd = (services[name] as Obj).command as string[];
      assert.ok(cmd.join(' ').includes('--appendonly yes --maxmemory-policy noeviction'), name);
    }
    assert.ok(((services['redis-replica'] as Obj).command as string[]).join(' ').includes('--replicaof redis-primary 6379'));
  });

  it('docker-compose.yml stays the one-host recipe and points at this file', () => {
    const text = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
    assert.match(text, /docker-compose\.ha\.yml/);
  });
});
