import { formatPath } from './formatPath.js';

const PATTERN = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${NAME}` and `${NAME:-default}` in every string value with environment variables, so a
 * config can point at addresses that differ per environment. (Secrets still belong in the env vars
 * named by `tokenEnv` / `clientSecretEnv`, not in interpolated values that could be logged.)
 * Unset variables without a default are reported by path.
 */
export function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv, problems: string[], path: PropertyKey[] = []): unknown {
  if (typeof value === 'string') {
    return value.replace(PATTERN, (match, name: string, fallback: string | undefined) => {
      const v = env[name];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      problems.push(`${formatPath(path)}: environment variable ${name} is not set (referenced as ${match})`);
      return match;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateEnv(v, env, problems, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateEnv(v, env, problems, [...path, k])]));
  }
  return value;
}
