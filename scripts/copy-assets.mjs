// Build step: copies non-TypeScript runtime files (Lua scripts) from src/ to dist/ beside the
// compiled modules that load them.
import { cpSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const ASSET = /\.lua$/;

function copy(dir) {
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) copy(full);
    else if (ASSET.test(entry)) cpSync(full, path.join('dist', path.relative('src', full)));
  }
}
copy('src');
