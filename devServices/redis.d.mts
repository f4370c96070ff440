import type { ChildProcess } from 'node:child_process';

export function findRedisServer(): string | undefined;
export function ensureRedisServer(log?: (message: string) => void): string;
export function freePort(): Promise<number>;
export function pingRedis(url: string, timeoutMs?: number): Promise<boolean>;
export interface StartedRedis {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}
export function startRedisServer(options?: { dataDir?: string; port?: number; args?: string[] }): Promise<StartedRedis>;
