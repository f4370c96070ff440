import { readFileSync } from 'node:fs';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { ClusterNode, ClusterOptions, RedisOptions } from 'ioredis';
import type { GatewayConfig } from '../config/schema.js';
import { redactUrl } from '../observability/redact.js';
import { ServiceUnavailableError } from '../errors.js';

/** The `redis` block of the configuration. */
export type RedisConfig = GatewayConfig['redis'];

/** Used when neither `url`, `sentinel` nor `cluster` is configured. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * How one client behaves. `api`: fails a command at once while disconnected and after
 * `redis.commandTimeout` without a reply (a request gets a bounded 503, never a hang). `worker`:
 * fails fast while disconnected, but waits for slow replies (a sync's large pipelines are
 * legitimate). `queue`: BullMQ's, which queues commands and waits through reconnects.
 */
export type ClientUse = 'api' | 'worker' | 'queue';

/** How one client behaves, and its name in `CLIENT LIST`. */
export interface ClientBehaviour {
  use: ClientUse;
  name: string;
}

/** What to construct: one node or a Sentinel-managed master (`Redis`), or a `Cluster`. */
export type RedisTarget =
  | { kind: 'single'; url: string | undefined; options: RedisOptions }
  | { kind: 'cluster'; nodes: ClusterNode[]; options: ClusterOptions };

const retryStrategy = (times: number) => Math.min(100 * 2 ** Math.min(times, 5), 2000);

function hostPort(node: string, defaultPort: number): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(node);
  return m ? { host: m[1] as string, port: Number(m[2]) } : { host: node, port: defaultPort };
}

function tlsOptions(config: RedisConfig): TlsOptions | undefined {
  if (!config.tls) return undefined;
  const out: TlsOptions = {};
  if (config.tls.caFile) out.ca = readFileSync(config.tls.caFile);
  if (config.tls.servername) out.servername = config.tls.servername;
  return out;
}

function secret(env: NodeJS.ProcessEnv, name: string | undefined): string | undefined {
  return name ? env[name] : undefined;
}

/**
 * Builds the ioredis constructor arguments for the configured topology (DESIGN §4): exactly one
 * of `url` (TLS through `rediss://`), `sentinel` or `cluster`; passwords read from the env vars
 * the config names; `redis.tls` turns TLS on for Sentinel and Cluster nodes (and sets the CA of a
 * `rediss://` URL).
 * @throws when `redis.tls.caFile` cannot be read.
 */
export function redisTarget(config: RedisConfig, env: NodeJS.ProcessEnv, behaviour: ClientBehaviour): RedisTarget {
  const tls = tlsOptions(config);
  const failFast = behaviour.use !== 'queue';
  const common: RedisOptions = {
    connectTimeout: config.connectTimeout,
    connectionName: behaviour.name,
    // BullMQ requires null (it retries by itself); the others fail a command after one reconnect.
    maxRetriesPerRequest: failFast ? 1 : null,
    ...(behaviour.use === 'api' ? { commandTimeout: config.commandTimeout } : {}),
  };
  if (config.cluster) {
    const password = secret(env, config.cluster.passwordEnv);
    const anyTls = tls !== undefined || config.cluster.nodes.some((u) => u.startsWith('rediss://'));
    return {
      kind: 'cluster',
      nodes: config.cluster.nodes.map((u) => {
        const parsed = new URL(u);
        return { host: parsed.hostname, port: Number(parsed.port || 6379) };
      }),
      options: {
        enableOfflineQueue: !failFast,
        clusterRetryStrategy: retryStrategy,
        slotsRefreshTimeout: config.connectTimeout,
        redisOptions: { ...common, ...(password ? { password } : {}), ...(anyTls ? { tls: tls ?? {} } : {}) },
      },
    };
  }
  const options: RedisOptions = { ...common, enableOfflineQueue: !failFast, retryStrategy };
  if (config.sentinel) {
    const s = config.sentinel;
    const password = secret(env, s.passwordEnv);
    const sentinelPassword = secret(env, s.sentinelPasswordEnv);
    Object.assign(options, {
      sentinels: s.nodes.map((n) => hostPort(n, 26379)),
      name: s.masterName,
      // Keep asking the sentinels (never give up) while a failover is in progress.
      sentinelRetryStrategy: retryStrategy,
      sentinelCommandTimeout: config.connectTimeout,
      ...(password ? { password } : {}),
      ...(sentinelPassword ? { sentinelPassword } : {}),
      ...(tls ? { tls, enableTLSForSentinelMode: true, sentinelTLS: tls } : {}),
    });
    return { kind: 'single', url: undefined, options };
  }
  const url = config.url ?? DEFAULT_REDIS_URL;
  if (tls && url.startsWith('rediss://')) options.tls = tls;
  return { kind: 'single', url, options };
}

/** A password-free description of the configured topology, for logs and error messages. */
export function describeRedis(config: RedisConfig): string {
  if (config.cluster) return `Redis Cluster ${config.cluster.nodes.map((u) => redactUrl(u)).join(', ')}`;
  if (config.sentinel) return `Redis Sentinel master "${config.sentinel.masterName}" via ${config.sentinel.nodes.join(', ')}`;
  return `Redis at ${redactUrl(config.url ?? DEFAULT_REDIS_URL)}`;
}

/**
 * The start-up failure when Redis stays unreachable: names the topology (credentials redacted) and
 * what to do about it.
 */
export function redisUnreachable(config: RedisConfig): ServiceUnavailableError {
  return new ServiceUnavailableError(`${describeRedis(config)} is unreachable. Start Redis or set REDIS_URL / redis.url (or redis.sentinel / redis.cluster).`);
}
