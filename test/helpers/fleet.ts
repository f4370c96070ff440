import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../devServices/redis.mjs';
import { tempDir } from './gateway.js';
import { eventually } from './wait.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** One gateway process (`serve --role ...`) started from the built CLI, as in production. */
export interface GatewayProcess {
  role: 'api' | 'worker' | 'all';
  child: ChildProcess;
  /** Base URL (roles api and all). */
  url: string;
  /** Everything the process wrote (JSON log lines). */
  output(): string;
  /** Resident set size in bytes (Linux /proc). */
  rss(): number;
  /** Sends a signal and resolves with the exit code (or signal name) and how long it took. */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

/**
 * Writes `config` (JSON is YAML) and starts `mcp-registry-gateway serve --role <role>`; API roles
 * get `port` (default: a free one) and the call resolves once `/readyz` answers 200.
 */
export async function spawnGateway(role: GatewayProcess['role'], config: Record<string, unknown>, options: { port?: number; env?: NodeJS.ProcessEnv } = {}): Promise<GatewayProcess> {
  const port = options.port ?? (role === 'worker' ? 0 : await freePort());
  const file = path.join(tempDir(), 'gateway.yaml');
  const server = { host: '127.0.0.1', ...(config.server as object | undefined), port };
  writeFileSync(file, JSON.stringify({ ...config, server, logging: { level: 'info', format: 'json' } }));
  const child = spawn(process.execPath, [path.join(root, 'bin', 'mcp-registry-gateway.js'), 'serve', '--role', role, '--config', file], {
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const proc: GatewayProcess = {
    role,
    child,
    url,
    output: () => out,
    rss() {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return Number(m?.[1] ?? 0) * 1024;
    },
    stop(signal) {
      const t0 = Date.now();
      return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve({ code: child.exitCode, signal: child.signalCode, ms: 0 });
          return;
        }
        child.once('exit', (code, sig) => resolve({ code, signal: sig, ms: Date.now() - t0 }));
        child.kill(signal);
      });
    },
  };
  if (role !== 'worker') {
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`gateway ${role} exited ${child.exitCode}: ${out.slice(-2000)}`);
        return (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200;
      },
      30_000,
      `${role} process ready`,
    );
  }
  return proc;
}
