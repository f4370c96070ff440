import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A sample upstream registry in its own process. */
export interface UpstreamProcess {
  child: ChildProcess;
  url: string;
  versions: number;
  mutate(count: number): Promise<void>;
  stop(): void;
}

/** Forks a sample upstream serving `names` generated names starting at `offset`. */
export function startUpstream(names: number, offset = 0): Promise<UpstreamProcess> {
  const child = fork(path.join(root, 'bench', 'upstreamProcess.ts'), [String(names), String(offset)], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    const onReady = (m: { type: string; port: number; versions: number }) => {
      if (m.type !== 'ready') return;
      child.off('message', onReady);
      resolve({
        child,
        url: `http://127.0.0.1:${m.port}`,
        versions: m.versions,
        mutate: (count) =>
          new Promise<void>((done) => {
            const onMutated = (r: { type: string }) => {
              if (r.type === 'mutated') {
                child.off('message', onMutated);
                done();
              }
            };
            child.on('message', onMutated);
            child.send({ type: 'mutate', count });
          }),
        stop: () => child.disconnect(),
      });
    };
    child.on('message', onReady);
  });
}

/** Starts the gateway CLI (built dist) with `args`; output goes to the harness's stderr when `verbose`. */
export function startGateway(args: string[], env: NodeJS.ProcessEnv = {}, verbose = false, nodeArgs: string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, path.join(root, 'bin', 'mcp-registry-gateway.js'), ...args], {
    env: { ...process.env, LOG_FORMAT: 'json', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', verbose ? 'inherit' : 'ignore', 'inherit'],
  });
}

/** Resident set size now and at its peak (VmHWM), in MiB, from /proc. */
export function rssOf(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rssMiB: kb('VmRSS') / 1024, peakMiB: kb('VmHWM') / 1024 };
}

/** Stops a child with SIGTERM and waits for it. */
export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
  });
}

/** Median of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** A baseline server process (bench/baselineServer.ts). */
export interface BaselineProcess {
  url: string;
  child: ChildProcess;
}

/** Starts a baseline server: `node` (plain node:http) or `express` (a bare express app). */
export function startBaseline(mode: 'node' | 'express'): Promise<BaselineProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench', 'baselineServer.ts'), mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`baseline ${mode} exited with ${code}`)));
    child.stdout?.once('data', (chunk: Buffer) => {
      const { port } = JSON.parse(chunk.toString()) as { port: number };
      resolve({ url: `http://127.0.0.1:${port}`, child });
    });
  });
}
