import { mkdtempSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import winston from 'winston';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/config/loader.js';
import type { GatewayConfig } from '../../src/config/schema.js';
import { startGateway, type GatewayHandle, type Role } from '../../src/main.js';
import { createLogger } from '../../src/observability/logger.js';

/** A temp directory for a test's files. */
export function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'mcpgw-test-'));
}

/** Writes JSON to `dir/name` and returns the path. */
export function writeJson(dir: string, name: string, data: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(data));
  return file;
}

/** Validates raw config (as a YAML file would hold it) with the real schema and loader rules. */
export function testConfig(raw: Record<string, unknown>, dir = tempDir(), env: NodeJS.ProcessEnv = {}): GatewayConfig {
  return parseConfig(raw, path.join(dir, 'gateway.yaml'), env);
}

/** A gateway running on an ephemeral loopback port. */
export interface TestGateway extends GatewayHandle {
  url: string;
  get(pathAndQuery: string, init?: RequestInit): Promise<Response>;
  json<T = unknown>(pathAndQuery: string): Promise<{ status: number; body: T; headers: Headers }>;
}

/** Starts a gateway for tests (silent logs, port 0 on 127.0.0.1). */
export async function startTestGateway(options: {
  /** One-node Redis; omit when `raw.redis` names a sentinel or cluster topology. */
  redisUrl?: string;
  prefix: string;
  raw: Record<string, unknown>;
  role?: Role;
  dir?: string;
  env?: NodeJS.ProcessEnv;
  /** When given, every log line (JSON) is appended here. */
  logs?: string[];
}): Promise<TestGateway> {
  const raw = {
    ...options.raw,
    server: { port: 0, host: '127.0.0.1', shutdownTimeout: '2s', ...(options.raw.server as object | undefined) },
    redis: { ...(options.raw.redis as object | undefined), ...(options.redisUrl ? { url: options.redisUrl } : {}), prefix: options.prefix },
  };
  const config = testConfig(raw, options.dir, options.env);
  const logger = createLogger({ silent: process.env.TEST_LOGS !== '1' && !options.logs, level: 'debug', format: 'json' });
  if (options.logs) {
    const sink = options.logs;
    logger.clear();
    logger.add(new winston.transports.Stream({ stream: new Writable({ write: (chunk, _enc, done) => (sink.push(String(chunk)), done()) }) }));
  }
  const handle = await startGateway({
    config,
    logger,
    role: options.role ?? 'all',
    redisStartupTimeoutMs: 5000,
    upstreamClient: { maxAttempts: 2, baseDelayMs: 50 },
    ...(options.env ? { env: options.env } : {}),
  });
  const url = handle.url as string;
  const get = (p: string, init?: RequestInit) => fetch(url + p, init);
  return Object.assign(handle, {
    url,
    get,
    async json<T>(p: string) {
      const res = await get(p);
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
    },
  });
}

/** Follows `nextCursor` from `pathAndQuery` (limit=100) and returns every row. */
export async function listAll<T>(gw: TestGateway, pathAndQuery: string): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  const sep = pathAndQuery.includes('?') ? '&' : '?';
  do {
    const { status, body } = await gw.json<{ servers: T[]; metadata: { nextCursor?: string } }>(
      `${pathAndQuery}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    if (status !== 200) throw new Error(`GET ${pathAndQuery} answered ${status}`);
    out.push(...body.servers);
    cursor = body.metadata.nextCursor;
  } while (cursor);
  return out;
}
