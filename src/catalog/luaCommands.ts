import { readFileSync } from 'node:fs';
import type { ChainableCommander, Redis } from 'ioredis';
import { bodyField, type Keys } from './keys.js';
import { storedMeta } from './storedEntry.js';
import { liveCount } from './storedName.js';
import { encodeStoredName } from './storedNameCodec.js';
import type { StoredName } from './types.js';

/** How many change events the stream keeps; replicas further behind than this reload fully. */
export const CHANGES_MAXLEN = 200_000;

const APPLY_NAMES = readFileSync(new URL('./lua/applyNames.lua', import.meta.url), 'utf8');
const MIGRATE_ENTRIES = readFileSync(new URL('./lua/migrateEntries.lua', import.meta.url), 'utf8');

type ApplyNamesArgs = [string, string, string, string, string, string, string, string, ...(string | number)[]];

/** A Redis client (or pipeline) with the catalogue's scripts defined. */
export type CatalogCommands = {
  /** See lua/applyNames.lua: per name, the commit time when applied, 0 on a compare-and-set conflict. */
  applyNames(...args: ApplyNamesArgs): Promise<Array<string | 0>>;
  /** See lua/migrateEntries.lua: how many entries moved to the current format. */
  migrateEntries(entries: string, legacyBodies: string, legacyRendered: string, ...triples: string[]): Promise<number>;
};

/** Defines the catalogue's scripts on a client (idempotent: ioredis caches them by SHA). */
export function defineCatalogCommands(redis: Redis): Redis & CatalogCommands {
  redis.defineCommand('applyNames', { numberOfKeys: 8, lua: APPLY_NAMES });
  redis.defineCommand('migrateEntries', { numberOfKeys: 3, lua: MIGRATE_ENTRIES });
  return redis as Redis & CatalogCommands;
}

/** A pipeline of the catalogue's scripts. */
export type CatalogPipeline = ChainableCommander & CatalogCommands;

/** One name's write: what was read and what replaces it. */
export interface NameWrite {
  registry: string;
  name: string;
  /** The stored value read before (raw text, compared by the script), or null when absent. */
  expectedRaw: string | null;
  before: StoredName;
  after: StoredName;
  /** Bodies to write, by version. */
  bodies: ReadonlyMap<string, string>;
  /** Versions whose bodies and rendered meta go. */
  removed: readonly string[];
}

/**
 * The KEYS and ARGV of one `applyNames` call writing `writes` (all of one registry, the layout its
 * header documents).
 */
export function applyNamesArgs(keys: Keys, registry: string, writes: readonly NameWrite[]): ApplyNamesArgs {
  const args: ApplyNamesArgs = [keys.meta(registry), keys.entries(registry), keys.clock, keys.seq, keys.changes, keys.counts, keys.legacyBodies(registry), keys.legacyRendered(registry), registry, CHANGES_MAXLEN];
  for (const w of writes) pushNameArgs(args, w);
  return args;
}

function pushNameArgs(args: Array<string | number>, w: NameWrite): void {
  const liveBefore = liveCount(w.before.v);
  const liveAfter = liveCount(w.after.v);
  args.push(w.name, w.expectedRaw ?? '', w.after.v.length > 0 ? encodeStoredName(w.after) : '', liveAfter - liveBefore, (liveAfter > 0 ? 1 : 0) - (liveBefore > 0 ? 1 : 0));
  args.push(w.bodies.size);
  for (const [version, body] of w.bodies) args.push(bodyField(w.name, version), body);
  // Every record of the name is re-rendered: cheap (a name has a few versions) and never stale.
  args.push(w.after.v.length);
  for (const r of w.after.v) args.push(bodyField(w.name, r.version), storedMeta(r));
  const dels = w.removed.map((v) => bodyField(w.name, v));
  args.push(dels.length, ...dels);
}
