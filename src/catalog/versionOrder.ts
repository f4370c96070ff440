import semver from 'semver';
import { NOW } from './clock.js';

/** What the latest-version rule needs to know about a version. */
export interface LatestCandidate {
  version: string;
  publishedAt: string;
  status: string;
}

/**
 * True when `version` is a valid semantic version (MAJOR.MINOR.PATCH with optional prerelease and
 * build; a leading `v` is tolerated), as the official registry's `CompareVersions` decides.
 */
export function isSemver(version: string): boolean {
  return semver.valid(version) !== null;
}

/** A publish time in ms; the commit-time placeholder of a write in progress is the newest of all. */
function publishedMs(iso: string): number {
  return iso === NOW ? Number.POSITIVE_INFINITY : Date.parse(iso);
}

/**
 * Orders two versions for "which is latest" (official registry rules, DESIGN §3):
 * both semver → semver precedence; neither → newer `publishedAt` wins; one semver → it wins.
 * Returns > 0 when `a` wins, < 0 when `b` wins; ties fall back to plain string order so the
 * result is deterministic.
 */
export function compareForLatest(a: LatestCandidate, b: LatestCandidate): number {
  const aSem = isSemver(a.version);
  const bSem = isSemver(b.version);
  let result = 0;
  if (aSem && bSem) result = semver.compare(a.version, b.version);
  else if (aSem !== bSem) result = aSem ? 1 : -1;
  else result = publishedMs(a.publishedAt) - publishedMs(b.publishedAt);
  if (result !== 0 && !Number.isNaN(result)) return result;
  if (a.version === b.version) return 0;
  return a.version > b.version ? 1 : -1;
}

/**
 * Picks the latest version among `candidates`: deleted versions never win unless every version is
 * deleted. Returns `undefined` for an empty list.
 */
export function pickLatest<T extends LatestCandidate>(candidates: readonly T[]): T | undefined {
  const live = candidates.filter((c) => c.status !== 'deleted');
  const pool = live.length > 0 ? live : candidates;
  let best: T | undefined;
  for (const c of pool) if (best === undefined || compareForLatest(c, best) > 0) best = c;
  return best;
}
