import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort, pingRedis, startRedisServer, type StartedRedis } from '../../devServices/redis.mjs';
import { tempDir } from './gateway.js';
import { eventually } from './wait.js';

const run = promisify(execFile);

/** `redis-cli` output for one command against 127.0.0.1:port. */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 });
  return stdout;
}

function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** A master, one replica and three sentinels (quorum 2), all real processes on loopback. */
export interface SentinelSetup {
  masterName: string;
  /** `host:port` of each sentinel, as `redis.sentinel.nodes` takes them. */
  sentinels: string[];
  master: StartedRedis;
  replica: StartedRedis;
  /** Resolves once the replica has received every write the master has acknowledged so far. */
  replicated(): Promise<void>;
  /** The port of the node the sentinels currently call master. */
  currentMasterPort(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts a Sentinel-managed pair: failover after 1 s of silence from the master. */
export async function startSentinelSetup(masterName = 'gwmaster'): Promise<SentinelSetup> {
  const dir = tempDir();
  // Each node gets its own directory: a replica writes the RDB it receives to disk.
  const nodeDir = (name: string) => {
    mkdirSync(path.join(dir, name), { recursive: true });
    return path.join(dir, name);
  };
  const master = await startRedisServer({ args: ['--dir', nodeDir('master'), '--repl-diskless-sync-delay', '0'] });
  const replica = await startRedisServer({ args: ['--dir', nodeDir('replica'), '--replicaof', '127.0.0.1', String(master.port), '--repl-diskless-sync-delay', '0'] });
  await eventually(async () => (await redisCli(replica.port, 'INFO', 'replication')).includes('master_link_status:up'), 15_000, 'replica linked');
  const sentinelPorts = [await freePort(), await freePort(), await freePort()];
  const sentinels: ChildProcess[] = [];
  for (const port of sentinelPorts) {
    const conf = path.join(dir, `sentinel-${port}.conf`);
    writeFileSync(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${masterName} 127.0.0.1 ${master.port} 2`,
        `sentinel down-after-milliseconds ${masterName} 1000`,
        `sentinel failover-timeout ${masterName} 5000`,
        `sentinel parallel-syncs ${masterName} 1`,
        '',
      ].join('\n'),
    );
    sentinels.push(spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' }));
  }
  for (const port of sentinelPorts) await eventually(() => pingRedis(`redis://127.0.0.1:${port}`, 200), 10_000, `sentinel ${port} up`);
  // Both sentinels' views must include the replica before a failover can pick it.
  await eventually(async () => (await redisCli(sentinelPorts[0] as number, 'SENTINEL', 'replicas', masterName)).includes(String(replica.port)), 15_000, 'sentinels see the replica');
  return {
    masterName,
    sentinels: sentinelPorts.map((p) => `127.0.0.1:${p}`),
    master,
    replica,
    async replicated() {
      const offset = (text: string, field: string) => Number(new RegExp(`${field}:(\\d+)`).exec(text)?.[1] ?? -1);
      const target = offset(await redisCli(master.port, 'INFO', 'replication'), 'master_repl_offset');
      await eventually(async () => offset(await redisCli(replica.port, 'INFO', 'replication'), 'slave_repl_offset') >= target, 10_000, 'replica caught up');
    },
    async currentMasterPort() {
      const out = (await redisCli(sentinelPorts[0] as number, 'SENTINEL', 'get-master-addr-by-name', masterName)).trim().split('\n');
      return Number(out[1]);
    },
    async stop() {
      for (const s of sentinels) await stopProcess(s);
      await master.stop();
      await replica.stop();
    },
  };
}

/** Three cluster masters (no replicas) covering all 16384 slots. */
export interface ClusterSetup {
  /** `redis://127.0.0.1:port` of each node, as `redis.cluster.nodes` takes them. */
  nodes: string[];
  ports: number[];
  stop(): Promise<void>;
}

/** Starts three `cluster-enabled` nodes and joins them with `redis-cli --cluster create`. */
export async function startClusterSetup(): Promise<ClusterSetup> {
  const dir = tempDir();
  const started: StartedRedis[] = [];
  for (let i = 0; i < 3; i++) {
    const nodeDir = path.join(dir, `n${i}`);
    mkdirSync(nodeDir, { recursive: true });
    const port = await freePort();
    started.push(await startRedisServer({ port, args: ['--dir', nodeDir, '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000'] }));
  }
  const addrs = started.map((s) => `127.0.0.1:${s.port}`);
  await run('redis-cli', ['--cluster', 'create', ...addrs, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
  for (const s of started) await eventually(async () => (await redisCli(s.port, 'CLUSTER', 'INFO')).includes('cluster_state:ok'), 20_000, `cluster state ok on ${s.port}`);
  return {
    nodes: started.map((s) => `redis://127.0.0.1:${s.port}`),
    ports: started.map((s) => s.port),
    async stop() {
      for (const s of started) await s.stop();
    },
  };
}

/** A plain client on one node (assertions). */
export function nodeClient(port: number): Redis {
  const c = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1, lazyConnect: false });
  c.on('error', () => undefined);
  return c;
}

/** A redis-server that only speaks TLS, with a throwaway CA (made with the `openssl` binary). */
export interface TlsRedis {
  /** `rediss://localhost:port` (the certificate names localhost and 127.0.0.1). */
  url: string;
  caFile: string;
  stop(): Promise<void>;
}

/** Starts a TLS-only redis-server on a free loopback port. */
export async function startTlsRedis(): Promise<TlsRedis> {
  const dir = tempDir();
  const file = (n: string) => path.join(dir, n);
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir, timeout: 30_000 });
  await openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=gateway-test-ca');
  await openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  writeFileSync(file('ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  await openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'ext.cnf');
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--tls-cert-file', file('server.pem'), '--tls-key-file', file('server.key'), '--tls-ca-cert-file', file('ca.pem'), '--tls-auth-clients', 'no'],
    { stdio: 'ignore' },
  );
  await eventually(async () => (await run('redis-cli', ['--tls', '--cacert', file('ca.pem'), '-p', String(port), 'PING']).catch(() => ({ stdout: '' }))).stdout.includes('PONG'), 10_000, 'TLS redis up');
  return { url: `rediss://localhost:${port}`, caFile: file('ca.pem'), stop: () => stopProcess(child) };
}
