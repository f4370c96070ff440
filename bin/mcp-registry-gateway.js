#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('mcp-registry-gateway is not built yet: run `npm run build` (npm ci does it for you).\n');
  process.exit(1);
}
const { runCli } = await import(entry.href);
await runCli(process.argv);
