import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { server } from '../../helpers/corpus.js';
import { startFakeUpstream, type FakeUpstream } from '../../helpers/fakeUpstream.js';
import { tempDir, writeJson } from '../../helpers/gateway.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';
import { freePort } from '../../../devServices/redis.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(root, 'bin', 'mcp-registry-gateway.js');

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_FORMAT: 'json', ...env },
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Like cli(), without blocking this process (needed when the test itself serves the upstream). */
function cliAsync(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_FORMAT: 'json', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('mcp-registry-gateway CLI', () => {
  let redis: TestRedis;
  let dir: string;
  let configFile: string;

  let upstream: FakeUpstream;

  before(async () => {
    redis = await startTestRedis();
    upstream = await startFakeUpstream([1, 2, 3, 4, 5].map((i) => server(`io.up/s${i}`, '1.0.0')));
    dir = tempDir();
    writeJson(dir, 'cat.json', [server('io.x/a', '1.0.0'), server('io.x/b', '1.0.0'), server('io.x/b', '2.0.0')]);
    configFile = path.join(dir, 'gw.yaml');
    writeFileSync(
      configFile,
      [
        'server: { port: 0, host: 127.0.0.1 }',
        `redis: { url: ${redis.url}, prefix: ${redis.prefix()} }`,
        'registries:',
        '  - name: internal',
        '    type: managed',
        '  - name: cat',
        '    type: file',
        '    path: cat.json',
        '  - name: up',
        '    type: upstream',
        `    url: ${upstream.url}`,
        '    sync: { maxRequestsPerSecond: 100, timeout: 2s }',
      ].join('\n'),
    );
  });
  after(async () => {
    await upstream?.close();
    await redis?.stop();
  });

  it('check-config accepts the shipped demo and default configs', () => {
    for (const file of ['config/demo.yaml', 'config/default.yaml']) {
      const r = cli(['check-config', file]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^OK: .* is valid/);
    }
  });

  it('check-config lists every problem by path and exits non-zero', () => {
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'registries:\n  - name: Official\n    type: upstream\n    url: nope\n  - name: metrics\n    type: managed\napi: { maxPageSize: 0 }\n');
    const r = cli(['check-config', bad]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /registries\[0\]\.name: must match/);
    assert.match(r.stderr, /registries\[0\]\.url: Invalid URL/);
    assert.match(r.stderr, /registries\[1\]\.name: "metrics" is reserved/);
    assert.match(r.stderr, /api\.maxPageSize: /);
  });

  it('check-config falls back to GATEWAY_CONFIG and explains when nothing is given', () => {
    assert.equal(cli(['check-config'], { GATEWAY_CONFIG: configFile }).code, 0);
    const none = cli(['check-config']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /pass --config FILE or set GATEWAY_CONFIG/);
  });

  it('serve refuses to start on a bad config, listing the problems', () => {
    const bad = path.join(dir, 'bad2.yaml');
    writeFileSync(bad, 'registries: []\n');
    const r = cli(['serve', '--config', bad]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /registries: at least one registry is required/);
  });

  it('sync runs a file registry in the foreground and status prints the table', () => {
    const s = cli(['sync', 'cat', '--config', configFile]);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, /cat\s+file\s+complete\s+2\s+3/);
    const st = cli(['status'], { GATEWAY_CONFIG: configFile });
    assert.equal(st.code, 0, st.stderr);
    assert.match(st.stdout, /^REGISTRY\s+TYPE\s+PHASE\s+SERVERS/m);
    assert.match(st.stdout, /^internal\s+managed\s+-/m);
    assert.match(st.stdout, /^cat\s+file\s+complete\s+2\s+3\s+\d+s ago\s+file\s+-\s+0/m);
    const unknown = cli(['sync', 'nope', '--config', configFile]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no registry named "nope"/);
  });

  it('sync walks an upstream in the foreground and exits non-zero when it fails', async () => {
    const ok = await cliAsync(['sync', 'up', '--config', configFile]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /^up\s+upstream\s+complete\s+5\s+5\s+\d+s ago\s+full\s+/m);
    const again = await cliAsync(['sync', 'up', '--config', configFile]);
    assert.match(again.stdout, /^up\s+upstream\s+complete\s+5\s+5\s+\d+s ago\s+incremental\s+/m);
    await upstream.close();
    const failed = await cliAsync(['sync', 'up', '--full', '--config', configFile]);
    assert.equal(failed.code, 1);
    assert.match(failed.stdout, /^up\s+upstream\s+failed\s+5\s+5\s+.*upstream refused the connection/m);
  });

  it('publish validates (--dry-run) and publishes to a managed registry', () => {
    const good = path.join(dir, 'server.json');
    writeFileSync(good, JSON.stringify({ $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json', name: 'com.acme/cli-tool', version: '1.0.0', description: 'From the CLI' }));
    const dry = cli(['publish', 'internal', good, '--dry-run', '--config', configFile]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^valid: com\.acme\/cli-tool@1\.0\.0/);
    const pub = cli(['publish', 'internal', good, '--config', configFile]);
    assert.equal(pub.code, 0, pub.stderr);
    assert.match(pub.stdout, /^published com\.acme\/cli-tool@1\.0\.0 to "internal"/);
    const again = cli(['publish', 'internal', good, '--config', configFile]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists/);
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json', name: 'com.acme/x', version: '^1' }));
    const invalid = cli(['publish', 'internal', bad, '--dry-run', '--config', configFile]);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /body\.description: is required/);
    assert.match(invalid.stderr, /body\.version: must be a specific version/);
    assert.equal(cli(['publish', 'cat', good, '--config', configFile]).code, 1, 'file registries are read-only');
  });

  it('serve answers requests and exits cleanly on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [bin, 'serve', '--config', configFile], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', PORT: String(port), LOG_FORMAT: 'json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    let ok = false;
    for (let i = 0; i < 100 && !ok; i++) {
      await new Promise((r) => setTimeout(r, 100));
      ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
    }
    assert.ok(ok, output);
    const list = (await (await fetch(`http://127.0.0.1:${port}/v0.1/servers`)).json()) as { servers: unknown[] };
    assert.equal(list.servers.length, 9);
    const started = Date.now();
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0, output);
    assert.ok(Date.now() - started < 5000, 'drains within the shutdown timeout');
    assert.match(output, /"message":"shutting down"/);
    assert.doesNotMatch(output, /"level":"error"/);
  });
});
