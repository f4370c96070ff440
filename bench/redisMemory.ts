import type { Redis } from 'ioredis';

/** Redis memory used by one key prefix: total delta over `baseBytes`, and each key's share. */
export interface RedisMemory {
  usedBytes: number;
  perVersion: number;
  byKey: Array<{ key: string; bytes: number }>;
  summary: string;
}

/**
 * Measures `used_memory` above `baseBytes` per stored version, and `MEMORY USAGE` (exact:
 * SAMPLES 0) of every key under `{prefix}:`, grouped by the key's kind (the part after the registry).
 */
export async function redisMemory(redis: Redis, prefix: string, baseBytes: number, versions: number): Promise<RedisMemory> {
  const usedBytes = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0) - baseBytes;
  const byKind = new Map<string, number>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `{${prefix}}:*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const bytes = Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
      const kind = key.slice(prefix.length + 3).replace(/^r:[^:]+:/, 'r:*:').replace(/^sync:.*/, 'sync:*');
      byKind.set(kind, (byKind.get(kind) ?? 0) + bytes);
    }
  } while (cursor !== '0');
  const byKey = [...byKind].map(([key, bytes]) => ({ key, bytes })).sort((a, b) => b.bytes - a.bytes);
  const perVersion = usedBytes / versions;
  const parts = byKey.filter((k) => k.bytes > 10_000).map((k) => `${k.key} ${Math.round(k.bytes / versions)}`);
  return { usedBytes, perVersion, byKey, summary: `${Math.round(perVersion)} bytes/version used_memory (${(usedBytes / 2 ** 20).toFixed(0)} MiB); per version by key: ${parts.join(', ')}` };
}
