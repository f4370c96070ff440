// Runs the test suite with node's built-in test runner (TypeScript through tsx).
// Makes sure redis-server exists first (the tests spawn their own on free loopback ports,
// unless REDIS_URL points at one), so `npm test` works on a fresh machine.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ensureRedisServer } from '../devServices/redis.mjs';

function collect(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...collect(full));
    else if (entry.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['test/unit', 'test/integration', 'test/browser'];
const files = roots.flatMap((r) => (statSync(r).isDirectory() ? collect(r) : [r])).sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
if (!process.env.REDIS_URL) ensureRedisServer();

const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(result.status ?? 1);
