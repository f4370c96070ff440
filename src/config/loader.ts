import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { crossCheck } from './crossChecks.js';
import { formatPath } from './formatPath.js';
import { interpolateEnv } from './interpolate.js';
import { configSchema, oidcIssuers, type GatewayConfig } from './schema.js';

/** A loaded configuration plus where it came from. */
export interface LoadedConfig {
  config: GatewayConfig;
  /** Absolute path of the file read. */
  source: string;
}

function formatIssues(issues: ReadonlyArray<z.core.$ZodIssue>): string[] {
  return issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
}

/**
 * Picks the config file: the explicit `--config` value, else `GATEWAY_CONFIG`.
 * @throws ConfigError when neither is given.
 */
export function resolveConfigPath(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = explicit ?? env.GATEWAY_CONFIG;
  if (!chosen) {
    throw new ConfigError('(none)', ['no configuration file: pass --config FILE or set GATEWAY_CONFIG (see config/default.yaml)']);
  }
  return path.resolve(chosen);
}

/**
 * Validates raw configuration data (already parsed from YAML) and applies env overrides
 * (`PORT`, `REDIS_URL`) after `${VAR}` / `${VAR:-default}` interpolation. Relative `file` registry paths are resolved against the config file's
 * directory, falling back to the working directory when only that exists.
 * @throws ConfigError listing every problem by path.
 */
export function parseConfig(raw: unknown, source: string, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const data = (raw ?? {}) as Record<string, unknown>;
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError(source, ['(root): expected a mapping of configuration keys']);
  }
  const interpolationProblems: string[] = [];
  const interpolated = interpolateEnv(data, env, interpolationProblems) as Record<string, unknown>;
  if (interpolationProblems.length > 0) throw new ConfigError(source, interpolationProblems);
  const withEnv = applyEnvOverrides(interpolated, env);
  const result = configSchema.safeParse(withEnv);
  if (!result.success) {
    // zod skips the cross-field checks when anything else failed; run them on the raw data so
    // every problem is listed at once.
    const problems = formatIssues(result.error.issues);
    for (const p of crossCheck(withEnv)) {
      const line = `${formatPath(p.path)}: ${p.message}`;
      if (!problems.includes(line)) problems.push(line);
    }
    throw new ConfigError(source, problems);
  }
  const config = result.data;

  const problems: string[] = [];
  const baseDir = path.dirname(source);
  config.registries.forEach((registry, i) => {
    if (registry.type === 'file') {
      registry.path = resolveDataPath(registry.path, baseDir);
    }
    if (registry.type === 'upstream' && registry.auth && !env[registry.auth.tokenEnv]) {
      problems.push(`registries[${i}].auth.tokenEnv: environment variable ${registry.auth.tokenEnv} is not set`);
    }
  });
  if (config.redis.tls?.caFile) {
    config.redis.tls.caFile = resolveDataPath(config.redis.tls.caFile, baseDir);
    if (!existsSync(config.redis.tls.caFile)) problems.push(`redis.tls.caFile: file not found: ${config.redis.tls.caFile}`);
  }
  for (const [where, name] of redisSecretEnvs(config)) {
    if (!env[name]) problems.push(`${where}: environment variable ${name} is not set`);
  }
  config.webhooks.forEach((hook, i) => {
    if (!env[hook.secretEnv]) problems.push(`webhooks[${i}].secretEnv: environment variable ${hook.secretEnv} is not set`);
  });
  if (config.auth.mode === 'oidc') {
    const issuers = oidcIssuers(config);
    issuers.forEach((issuer, i) => {
      const where = Array.isArray(config.auth.oidc) ? `auth.oidc[${i}]` : 'auth.oidc';
      if (issuer.introspection && !env[issuer.introspection.clientSecretEnv]) {
        problems.push(`${where}.introspection.clientSecretEnv: environment variable ${issuer.introspection.clientSecretEnv} is not set`);
      }
      if (config.ui.enabled && issuer.ui && !env[issuer.ui.clientSecretEnv]) {
        problems.push(`${where}.ui.clientSecretEnv: environment variable ${issuer.ui.clientSecretEnv} is not set`);
      }
    });
  }
  if (problems.length > 0) throw new ConfigError(source, problems);
  return config;
}

function redisSecretEnvs(config: GatewayConfig): Array<[string, string]> {
  const { sentinel, cluster } = config.redis;
  const out: Array<[string, string]> = [];
  if (sentinel?.passwordEnv) out.push(['redis.sentinel.passwordEnv', sentinel.passwordEnv]);
  if (sentinel?.sentinelPasswordEnv) out.push(['redis.sentinel.sentinelPasswordEnv', sentinel.sentinelPasswordEnv]);
  if (cluster?.passwordEnv) out.push(['redis.cluster.passwordEnv', cluster.passwordEnv]);
  return out;
}

function resolveDataPath(p: string, baseDir: string): string {
  if (path.isAbsolute(p)) return p;
  const fromConfig = path.resolve(baseDir, p);
  const fromCwd = path.resolve(p);
  return !existsSync(fromConfig) && existsSync(fromCwd) ? fromCwd : fromConfig;
}

function applyEnvOverrides(data: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = { ...data };
  if (env.PORT !== undefined && env.PORT !== '') {
    out.server = { ...(asObject(out.server)), port: env.PORT };
  }
  if (env.REDIS_URL !== undefined && env.REDIS_URL !== '') {
    out.redis = { ...(asObject(out.redis)), url: env.REDIS_URL };
  }
  return out;
}

function asObject(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * Reads, parses and validates a YAML configuration file.
 * @throws ConfigError with every problem (YAML syntax errors with line numbers, schema issues by path).
 */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const source = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(source, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    throw new ConfigError(source, [`(file): cannot read ${source}: ${reason}`]);
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(source, doc.errors.map((e) => `(yaml): ${e.message.split('\n')[0]}`));
  }
  return { config: parseConfig(doc.toJS(), source, env), source };
}
