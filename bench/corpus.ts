import { readFileSync } from 'node:fs';
import type { ServerJson } from '../src/catalog/types.js';

/**
 * A generated corpus shaped like the real registry: bodies cloned from the real legacy seed entries
 * (median ~0.55 KB), ~3.3 versions per name, a mix of semver, prerelease and non-semver versions.
 * Deterministic: name `i` always has the same versions, so corpora with overlapping ranges
 * (`offset`) overlap exactly.
 */
export function generateCorpus(names: number, namespace = 'io.bench', offset = 0): ServerJson[] {
  const templates = JSON.parse(readFileSync(new URL('../reference/official/seed-legacy-2025-09-29.json', import.meta.url), 'utf8')) as ServerJson[];
  const out: ServerJson[] = [];
  for (let i = offset; i < offset + names; i++) {
    const t = templates[i % templates.length] as ServerJson;
    const name = `${namespace}.ns${i % 997}/server-${i}`;
    // 3.3 versions on average: 1..6 with a skew towards 2-4.
    const count = [1, 2, 3, 3, 4, 4, 5, 2, 3, 6][i % 10] as number;
    for (let v = 0; v < count; v++) {
      const version = v === count - 1 && i % 9 === 0 ? `${v + 1}.0.0-beta.${i % 4}` : i % 17 === 0 && v === 0 ? `2024.${(i % 12) + 1}.1` : `${v}.${i % 20}.${v * 3}`;
      out.push({ ...t, name, version, description: `${String(t.description ?? '').slice(0, 90)} #${i}` });
    }
  }
  return out;
}
