#!/usr/bin/env node
// Builds the demo registry data in config/demo/ from the official MCP Registry reference data.
//
//   node demo/build-demo-data.mjs [referenceDir]
//
// referenceDir defaults to ../shared/reference/official (relative to the repo root) and falls back to the
// vendored copy in reference/official/ when that does not exist. Both hold the same bytes (see
// reference/official/README.md). The output is deterministic: no clocks, no randomness.
//
// Writes:
//   config/demo/curated.json    v0.1 list response ({servers:[{server,_meta}], metadata:{count}})
//   config/demo/community.json  plain JSON array of server.json objects
// See config/demo/README.md for what is real and what is synthetic.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const OFFICIAL_META_KEY = "io.modelcontextprotocol.registry/official";

// Legacy entries (in name order) that go into curated.json: every other one of the first
// 2 * CURATED_LEGACY_COUNT, so the first page of the aggregated list mixes both registries.
const CURATED_LEGACY_COUNT = 40;
// Legacy entries in curated.json that are marked deprecated (added to curated if not picked).
const DEPRECATED = {
  "io.github.apache/iotdb":
    "Superseded by io.github.apache/iotdb-mcp-server, the vendor's dedicated MCP server; see its repository.",
  "io.github.aws-samples/sample-mcp-server-s3":
    "Superseded by the vendor's official server; see its repository.",
};
// Synthetic extra versions in community.json: the first EXTRA_VERSIONS_COUNT legacy entries in name order
// that are NOT in curated.json (so they show in the aggregated view) get EXTRA_VERSIONS; every
// PRERELEASE_EVERY-th of them also gets PRERELEASE.
const EXTRA_VERSIONS_COUNT = 25;
const EXTRA_VERSIONS = ["0.9.0", "1.0.0"];
const PRERELEASE = "1.1.0-beta.1";
const PRERELEASE_EVERY = 5; // indices 0, 5, 10, 15, 20 -> 5 entries

// Fixed timestamps.
const LEGACY_PUBLISH_START = Date.parse("2025-10-01T12:00:00Z"); // + 1 hour per legacy entry
const SEED_PUBLISH_START = Date.parse("2025-10-15T12:00:00Z"); // + 1 day per seed.json entry
const DEPRECATION_START = Date.parse("2025-11-01T12:00:00Z"); // + 1 day per deprecated entry
const HOUR = 3600_000;
const DAY = 24 * HOUR;

// sha256 of the inputs as listed in reference/official/README.md (checked only as a warning).
const EXPECTED_SHA256 = {
  "seed.json": "8638c4b53a4db41a1ef5fd9742b03340cce93a89cedf351677c61f522d491544",
  "seed-legacy-2025-09-29.json": "45cdd5d8177d9c5ab70000c5f4180a976745bdd859743cb2c46daf0bbadc8bb8",
};

function pickReferenceDir() {
  if (process.argv[2]) return resolve(process.argv[2]);
  const shared = resolve(repoRoot, "../shared/reference/official");
  if (existsSync(join(shared, "seed.json"))) return shared;
  return join(repoRoot, "reference/official");
}

function readJson(dir, file) {
  const buf = readFileSync(join(dir, file));
  const sum = createHash("sha256").update(buf).digest("hex");
  if (EXPECTED_SHA256[file] && EXPECTED_SHA256[file] !== sum) {
    console.warn(`warning: ${file} sha256 ${sum} differs from the expected ${EXPECTED_SHA256[file]}`);
  }
  return JSON.parse(buf.toString("utf8"));
}

// Plain code-unit string order, like the official registry's ORDER BY server_name, version.
const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const byNameThenVersion = (a, b) => cmp(a.name, b.name) || cmp(a.version, b.version);

// Minimal semver precedence (MAJOR.MINOR.PATCH[-prerelease][+build]); null when not semver.
function parseSemver(v) {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(v);
  return m ? { nums: [+m[1], +m[2], +m[3]], pre: m[4] ? m[4].split(".") : [] } : null;
}
function compareSemver(a, b) {
  for (let i = 0; i < 3; i++) if (a.nums[i] !== b.nums[i]) return a.nums[i] - b.nums[i];
  if (!a.pre.length || !b.pre.length) return b.pre.length - a.pre.length;
  for (let i = 0; i < Math.max(a.pre.length, b.pre.length); i++) {
    const x = a.pre[i];
    const y = b.pre[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn && +x !== +y) return +x - +y;
    if (xn !== yn) return xn ? -1 : 1;
    if (x !== y) return cmp(x, y);
  }
  return 0;
}
// Official rule: semver beats non-semver; two semvers by precedence; otherwise the later publish wins.
function isNewer(a, b) {
  const sa = parseSemver(a.version);
  const sb = parseSemver(b.version);
  if (sa && sb) {
    const c = compareSemver(sa, sb);
    if (c !== 0) return c > 0;
  } else if (sa || sb) {
    return Boolean(sa);
  }
  return a.publishedAt > b.publishedAt;
}

const iso = (ms) => new Date(ms).toISOString().replace(".000Z", "Z");

function writeJson(file, value) {
  const path = join(repoRoot, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(value, null, 2) + "\n");
  return path;
}

const refDir = pickReferenceDir();
const seed = readJson(refDir, "seed.json");
const legacy = readJson(refDir, "seed-legacy-2025-09-29.json");
if (!Array.isArray(seed) || !Array.isArray(legacy)) throw new Error("reference seeds must be JSON arrays");

const legacySorted = [...legacy].sort(byNameThenVersion);

// ---- curated.json ------------------------------------------------------------------------------------------
const curatedLegacy = legacySorted.slice(0, 2 * CURATED_LEGACY_COUNT).filter((_, i) => i % 2 === 1);
for (const name of Object.keys(DEPRECATED)) {
  if (curatedLegacy.some((s) => s.name === name)) continue;
  const entry = legacySorted.find((s) => s.name === name);
  if (!entry) throw new Error(`deprecated entry ${name} is not in the legacy seed`);
  curatedLegacy.push(entry);
}
curatedLegacy.sort(byNameThenVersion);
const curatedNames = new Set(curatedLegacy.map((s) => s.name));

// Publish order: the legacy entries first (they are older), then seed.json in file order, so airtable 1.7.3
// is published after 1.7.2.
const rows = [
  ...curatedLegacy.map((server, i) => ({ server, publishedAt: iso(LEGACY_PUBLISH_START + i * HOUR) })),
  ...seed.map((server, i) => ({ server, publishedAt: iso(SEED_PUBLISH_START + i * DAY) })),
];

const latestByName = new Map();
for (const row of rows) {
  const cur = latestByName.get(row.server.name);
  if (!cur || isNewer({ version: row.server.version, publishedAt: row.publishedAt }, {
    version: cur.server.version,
    publishedAt: cur.publishedAt,
  })) {
    latestByName.set(row.server.name, row);
  }
}

let deprecationIndex = 0;
const curatedServers = rows
  .sort((a, b) => byNameThenVersion(a.server, b.server))
  .map((row) => {
    const message = DEPRECATED[row.server.name];
    const statusChangedAt = message ? iso(DEPRECATION_START + deprecationIndex++ * DAY) : row.publishedAt;
    const official = {
      status: message ? "deprecated" : "active",
      statusChangedAt,
      ...(message ? { statusMessage: message } : {}),
      publishedAt: row.publishedAt,
      updatedAt: statusChangedAt,
      isLatest: latestByName.get(row.server.name) === row,
    };
    return { server: row.server, _meta: { [OFFICIAL_META_KEY]: official } };
  });

const curated = { servers: curatedServers, metadata: { count: curatedServers.length } };

// ---- community.json ----------------------------------------------------------------------------------------
const community = [];
let extraIndex = 0;
legacySorted.forEach((server) => {
  community.push(server);
  if (curatedNames.has(server.name) || extraIndex >= EXTRA_VERSIONS_COUNT) return;
  const k = extraIndex++;
  const versions = [...EXTRA_VERSIONS, ...(k % PRERELEASE_EVERY === 0 ? [PRERELEASE] : [])];
  // Same body, only "version" replaced (spreading keeps the original key order).
  for (const version of versions) community.push({ ...server, version });
});

// ---- sanity checks and output ------------------------------------------------------------------------------
for (const [label, list] of [["curated", curatedServers.map((r) => r.server)], ["community", community]]) {
  const seen = new Set();
  for (const s of list) {
    const key = `${s.name}@${s.version}`;
    if (seen.has(key)) throw new Error(`${label}: duplicate ${key}`);
    seen.add(key);
  }
}

const out = [writeJson("config/demo/curated.json", curated), writeJson("config/demo/community.json", community)];
console.log(`reference: ${refDir}`);
console.log(`curated:   ${curatedServers.length} entries -> ${out[0]}`);
console.log(`community: ${community.length} entries -> ${out[1]}`);
