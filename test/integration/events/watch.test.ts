import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { server } from '../../helpers/corpus.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';
import { eventually } from '../../helpers/wait.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SCHEMA = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';

const children: ChildProcess[] = [];

function runCli(args: string[]): { out: string[]; err: string[]; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [path.join(root, 'bin', 'mcp-registry-gateway.js'), ...args], { env: { PATH: process.env.PATH ?? '' } });
  children.push(child);
  const out: string[] = [];
  const err: string[] = [];
  child.stdout.setEncoding('utf8').on('data', (d: string) => out.push(...d.split('\n').filter(Boolean)));
  child.stderr.setEncoding('utf8').on('data', (d: string) => err.push(d));
  return { out, err, exit: new Promise((r) => child.once('exit', r)) };
}

describe('CLI watch [registry]', () => {
  let redis: TestRedis;
  let gw: TestGateway;

  before(async () => {
    redis = await startTestRedis();
    gw = await startTestGateway({
      redisUrl: redis.url,
      prefix: redis.prefix(),
      raw: {
        registries: [{ name: 'internal', type: 'managed' }, { name: 'hidden', type: 'managed' }],
        access: { rules: [{ groups: ['$anonymous'], registries: ['internal'] }] },
        publish: { allowAnonymous: true },
      },
    });
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await gw?.close();
    await redis?.stop();
  });

  it('prints change events as they arrive, then exits after --count', async () => {
    const watch = runCli(['watch', 'internal', '--url', gw.url, '--count', '2']);
    await eventually(async () => (await (await gw.get('/metrics')).text()).includes('mcpgw_events_subscribers 1'), 30_000, 'watch subscribed');
    for (const v of ['1.0.0', '1.1.0']) {
      const res = await gw.get('/internal/v0.1/publish', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...server('io.watch/demo', v), $schema: SCHEMA }) });
      assert.equal(res.status, 200);
    }
    assert.equal(await watch.exit, 0, watch.err.join(''));
    assert.equal(watch.out.length, 2);
    assert.match(watch.out[0] as string, /io\.watch\/demo@1\.0\.0 {2}active {2}latest {2}\(internal\)/);
  });

  it('exits non-zero with the problem detail for an invisible registry', async () => {
    const watch = runCli(['watch', 'hidden', '--url', gw.url]);
    assert.equal(await watch.exit, 1);
    assert.match(watch.err.join(''), /404: Registry "hidden" not found/);
  });
});
