import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CatalogWriter } from '../../../src/catalog/CatalogWriter.js';
import { Keys } from '../../../src/catalog/keys.js';
import { server } from '../../helpers/corpus.js';
import { tempDir } from '../../helpers/gateway.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';
import { eventually } from '../../helpers/wait.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0);
}

describe('event subscribers on a real gateway process: slow consumers and idle memory', () => {
  let redis: TestRedis;
  let child: ChildProcess;
  let url: string;
  const sockets: http.ClientRequest[] = [];

  const metric = async (name: string): Promise<number> => {
    const text = await (await fetch(`${url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(name));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  before(async () => {
    redis = await startTestRedis();
    const prefix = redis.prefix();
    // ~8 MB of rows, written through the store's write path before the subscriber arrives.
    const store = new CatalogWriter(redis.client(), new Keys(prefix), { maxVersionsPerName: 1000, tombstoneRetentionMs: 7 * 86_400_000 });
    const filler = 'x'.repeat(2000);
    for (let b = 0; b < 40; b++) {
      const group = new Map<string, Array<{ server: ReturnType<typeof server> }>>();
      for (let i = 0; i < 100; i++) {
        const name = `io.big/n-${b}-${i}`;
        group.set(name, [{ server: server(name, '1.0.0', { description: `${filler} ${i}` }) }]);
      }
      await store.upsert('internal', group);
    }
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const dir = tempDir();
    const config = path.join(dir, 'gw.yaml');
    writeFileSync(
      config,
      JSON.stringify({
        server: { port, host: '127.0.0.1', shutdownTimeout: '2s' },
        redis: { url: redis.url, prefix },
        registries: [{ name: 'internal', type: 'managed' }],
        events: { maxBufferedBytes: 65536, stallTimeout: '2s', maxSubscribers: 2000, heartbeat: '30s' },
      }),
    );
    child = spawn(process.execPath, [path.join(root, 'bin', 'mcp-registry-gateway.js'), 'serve', '--role', 'api', '--config', config], {
      env: { PATH: process.env.PATH ?? '', LOG_FORMAT: 'json', LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    await eventually(async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.ok, 20_000, 'gateway process ready');
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    await redis?.stop();
  });

  it('a subscriber that never reads a backlog is disconnected after stallTimeout; the process stays healthy and small', async () => {
    const rssBefore = rssKb(child.pid as number);
    const since = encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString());
    const req = http.get(`${url}/v0.1/events?updated_since=${since}`);
    sockets.push(req);
    req.on('response', (res) => res.pause()); // never read
    req.on('error', () => undefined);
    const t0 = Date.now();
    await eventually(async () => (await metric('mcpgw_events_subscribers')) === 1, 5000, 'subscribed');
    await eventually(async () => (await metric('mcpgw_events_closed_total{reason="slow-consumer"}')) === 1, 15_000, 'slow consumer dropped');
    assert.ok(Date.now() - t0 >= 1500, `dropped after ${Date.now() - t0} ms: the stall timeout (2s) applies, not an early cut`);
    assert.equal(await metric('mcpgw_events_subscribers'), 0);
    assert.equal((await fetch(`${url}/v0.1/health`)).status, 200);
    const grewKb = rssKb(child.pid as number) - rssBefore;
    console.log(`# never-reading subscriber: dropped after the stall timeout; RSS grew ${grewKb} kB while replaying an 8 MB backlog`);
    assert.ok(grewKb < 64 * 1024, `RSS grew ${grewKb} kB`);
  });

  it('measures memory per idle subscriber', async () => {
    const n = 500;
    await new Promise((r) => setTimeout(r, 500));
    const base = rssKb(child.pid as number);
    for (let i = 0; i < n; i++) {
      const req = http.get(`${url}/v0.1/events`, { agent: false });
      req.on('error', () => undefined);
      req.on('response', (res) => res.resume());
      sockets.push(req);
    }
    await eventually(async () => (await metric('mcpgw_events_subscribers')) === n, 20_000, `${n} subscribers`);
    await new Promise((r) => setTimeout(r, 1000));
    const perKb = (rssKb(child.pid as number) - base) / n;
    console.log(`# memory per idle subscriber: ${perKb.toFixed(1)} kB RSS (${n} idle streams on one API process)`);
    assert.ok(perKb < 200, `${perKb} kB per subscriber`);
    for (const s of sockets.splice(0)) s.destroy();
    await eventually(async () => (await metric('mcpgw_events_subscribers')) === 0, 10_000, 'all closed');
  });

  it('SIGTERM ends open streams cleanly (a complete response, so clients reconnect elsewhere) and exits 0', async () => {
    const { ended } = await new Promise<{ ended: Promise<string> }>((resolve, reject) => {
      const req = http.get(`${url}/v0.1/events`, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        resolve({
          ended: new Promise((done, fail) => {
            res.on('end', () => done(body));
            res.on('error', fail);
          }),
        });
      });
      req.on('error', reject);
      sockets.push(req);
    });
    await eventually(async () => (await metric('mcpgw_events_subscribers')) === 1, 5000, 'subscribed');
    const t0 = Date.now();
    child.kill('SIGTERM');
    assert.match(await ended, /^retry: 2000/, 'the response ended normally (chunked terminator), not reset');
    const code = await new Promise((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', r)));
    assert.equal(code, 0);
    assert.ok(Date.now() - t0 < 5000, `stopped in ${Date.now() - t0} ms`);
  });
});
