import { readFileSync } from 'node:fs';
import type { ChainableCommander, Redis } from 'ioredis';
import { bodyField, type Keys } from './keys.js';
import { renderMetaPrefix } from './render.js';
import { liveCount } from './storedName.js';
import type { StoredName } from './types.js';

/** How many change events the stream keeps; replicas further behind than this reload fully. */
export const CHANGES_MAXLEN = 200_000;

const APPLY_NAME = readFileSync(new URL('./lua/applyName.lua', import.meta.url), 'utf8');

type ApplyNameArgs = [string, string, string, string, string, string, string, ...(string | number)[]];

/** A Redis client (or pipeline) with the catalogue's scripts defined. */
export type CatalogCommands = {
  /** See lua/applyName.lua: the commit time when applied, 0 on a compare-and-set conflict. */
  applyName(...args: ApplyNameArgs): Promise<string | 0>;
};

/** Defines the catalogue's scripts on a client (idempotent: ioredis caches them by SHA). */
export function defineCatalogCommands(redis: Redis): Redis & CatalogCommands {
  redis.defineCommand('applyName', { numberOfKeys: 7, lua: APPLY_NAME });
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

/** The KEYS and ARGV of `applyName` for one name write (the layout its header documents). */
export function applyNameArgs(keys: Keys, w: NameWrite): ApplyNameArgs {
  const sets: string[] = [];
  for (const [version, body] of w.bodies) sets.push(bodyField(w.name, version), body);
  const dels = w.removed.map((v) => bodyField(w.name, v));
  // Every record of the name is re-rendered: cheap (a name has a few versions) and never stale.
  const rendered: string[] = [];
  for (const r of w.after.v) rendered.push(bodyField(w.name, r.version), renderMetaPrefix(w.registry, r));
  const liveBefore = liveCount(w.before.v);
  const liveAfter = liveCount(w.after.v);
  return [
    keys.meta(w.registry),
    keys.bodies(w.registry),
    keys.rendered(w.registry),
    keys.clock,
    keys.seq,
    keys.changes,
    keys.counts,
    w.name,
    w.expectedRaw ?? '',
    w.after.v.length > 0 ? JSON.stringify(w.after) : '',
    w.registry,
    CHANGES_MAXLEN,
    liveAfter - liveBefore,
    (liveAfter > 0 ? 1 : 0) - (liveBefore > 0 ? 1 : 0),
    sets.length / 2,
    ...sets,
    dels.length,
    ...dels,
    rendered.length / 2,
    ...rendered,
    dels.length,
    ...dels,
  ];
}
