import { z } from 'zod';
import { OFFICIAL_META_KEY, type IncomingEntry, type ServerJson } from '../catalog/types.js';

/** Official server name format (reverse-DNS namespace, one slash). */
export const SERVER_NAME_PATTERN = /^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/;

const timestamp = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not an RFC 3339 timestamp');

/** Minimal structural checks every stored entry passes, whatever its source. */
const serverSchema = z
  .object({
    name: z.string().min(3).max(200).regex(SERVER_NAME_PATTERN, 'must look like "namespace/server" (reverse-DNS namespace, one slash)'),
    version: z
      .string()
      .min(1)
      .max(255)
      .refine((v) => v !== 'latest', '"latest" is reserved and cannot be a version'),
    description: z.string().optional(),
    title: z.string().optional(),
  })
  .passthrough();

const officialSchema = z
  .object({
    status: z.enum(['active', 'deprecated', 'deleted']).optional(),
    statusMessage: z.string().max(500).optional(),
    statusChangedAt: timestamp.optional(),
    publishedAt: timestamp.optional(),
    updatedAt: timestamp.optional(),
  })
  .passthrough();

/**
 * Bounds every entry respects, whatever its source, checked before anything walks it recursively
 * (JSON.stringify, hashing, schema validation overflow the stack near 5,000 levels). Real entries
 * of the official registry nest 7 levels and weigh under 3 KB.
 */
export const ENTRY_LIMITS = { maxDepth: 32, maxBytes: 256 * 1024 } as const;

/** Children of a JSON container with their keys (`for...in` is the fastest walk V8 offers here). */
function pushChildren(v: object, push: (child: unknown, key: string) => void): void {
  if (Array.isArray(v)) for (let i = 0; i < v.length; i++) push(v[i], String(i));
  else for (const k in v) push((v as Record<string, unknown>)[k], k);
}

/** The path of the first container deeper than `maxDepth` (only run once a check failed). */
function deepPath(value: unknown, root: string, maxDepth: number): string {
  const stack: Array<{ v: unknown; depth: number; path: string }> = [{ v: value, depth: 0, path: root }];
  while (stack.length > 0) {
    const { v, depth, path } = stack.pop() as { v: unknown; depth: number; path: string };
    if (v === null || typeof v !== 'object') continue;
    if (depth >= maxDepth) return path;
    pushChildren(v, (child, k) => stack.push({ v: child, depth: depth + 1, path: /^\d+$/.test(k) ? `${path}[${k}]` : `${path}.${k}` }));
  }
  return root;
}

/**
 * Checks nesting depth and (approximate) JSON size of a parsed value without recursion, stopping
 * at the first excess. Returns a reason naming the problem and where, or undefined when in bounds.
 * @param root the name of the value in messages (`body`, `entry`)
 */
export function boundsProblem(value: unknown, root: string, limits: { maxDepth: number; maxBytes: number } = ENTRY_LIMITS): string | undefined {
  const values: unknown[] = [value];
  const depths: number[] = [0];
  let bytes = 0;
  while (values.length > 0) {
    const v = values.pop();
    const depth = depths.pop() as number;
    if (typeof v === 'string') bytes += v.length + 3;
    else if (v !== null && typeof v === 'object') {
      if (depth >= limits.maxDepth) return `is nested more than ${limits.maxDepth} levels deep (at ${deepPath(value, root, limits.maxDepth)})`;
      if (Array.isArray(v)) {
        bytes += v.length + 2;
        for (let i = 0; i < v.length; i++) {
          values.push(v[i]);
          depths.push(depth + 1);
        }
      } else {
        for (const k in v) {
          bytes += k.length + 4;
          values.push((v as Record<string, unknown>)[k]);
          depths.push(depth + 1);
        }
      }
    } else bytes += 8;
    if (bytes > limits.maxBytes) return `is larger than ${limits.maxBytes} bytes of JSON`;
  }
  return undefined;
}

/** An entry that failed validation, with a reason a person can act on. */
export interface SkippedEntry {
  index: number;
  name?: string;
  reason: string;
}

/** Result of reading a batch of raw entries. */
export interface ParsedEntries {
  entries: IncomingEntry[];
  skipped: SkippedEntry[];
}

/**
 * Extracts the items of any accepted document shape: an array of server.json objects, an array of
 * `{server, _meta}` items, a v0.1 list response `{servers:[...]}` or the legacy `/v0` flat envelope.
 * Returns undefined when the document is none of these.
 */
export function documentItems(doc: unknown): unknown[] | undefined {
  if (Array.isArray(doc)) return doc;
  if (doc && typeof doc === 'object' && Array.isArray((doc as { servers?: unknown }).servers)) {
    return (doc as { servers: unknown[] }).servers;
  }
  return undefined;
}

function describeIssue(issue: z.core.$ZodIssue, prefix: string): string {
  const where = issue.path.length > 0 ? `${prefix}${issue.path.map(String).join('.')}: ` : '';
  return `${where}${issue.message}`;
}

/**
 * Validates one raw item (server.json, `{server,_meta}`, or legacy flat with official meta inside
 * `server._meta`) into an incoming entry, or returns a reason why it is skipped.
 */
export function parseItem(item: unknown): IncomingEntry | { reason: string; name?: string } {
  if (!item || typeof item !== 'object' || Array.isArray(item)) return { reason: 'entry is not a JSON object' };
  const tooBig = boundsProblem(item, 'entry');
  if (tooBig) {
    const rawName = (item as { server?: { name?: unknown }; name?: unknown }).server?.name ?? (item as { name?: unknown }).name;
    return { reason: `entry ${tooBig}`, ...(typeof rawName === 'string' ? { name: rawName.slice(0, 200) } : {}) };
  }
  const wrapped = 'server' in item && typeof (item as { server: unknown }).server === 'object';
  const rawServer = (wrapped ? (item as { server: unknown }).server : item) as Record<string, unknown>;
  const outerMeta = wrapped ? ((item as { _meta?: Record<string, unknown> })._meta ?? {}) : {};
  const server = serverSchema.safeParse(rawServer);
  const name = typeof rawServer?.name === 'string' ? rawServer.name : undefined;
  if (!server.success) {
    return { reason: describeIssue(server.error.issues[0] as z.core.$ZodIssue, ''), ...(name ? { name } : {}) };
  }
  // Store the body exactly as received (zod would reorder keys); validation only gates it.
  const body = { ...rawServer } as ServerJson;
  let officialRaw: unknown = (outerMeta as Record<string, unknown>)[OFFICIAL_META_KEY];
  const innerMeta = body._meta;
  if (innerMeta && typeof innerMeta === 'object' && OFFICIAL_META_KEY in innerMeta) {
    // Legacy /v0 responses carried the registry's metadata inside the server body; it is not
    // publisher content, so it moves out of the stored body.
    const { [OFFICIAL_META_KEY]: legacy, ...rest } = innerMeta as Record<string, unknown>;
    officialRaw ??= legacy;
    if (Object.keys(rest).length > 0) body._meta = rest;
    else delete body._meta;
  }
  const entry: IncomingEntry = { server: body };
  if (officialRaw !== undefined) {
    const official = officialSchema.safeParse(officialRaw);
    if (!official.success) return { reason: describeIssue(official.error.issues[0] as z.core.$ZodIssue, '_meta.official.'), name: body.name };
    const o = official.data;
    entry.official = {};
    if (o.status !== undefined) entry.official.status = o.status;
    if (o.statusMessage !== undefined) entry.official.statusMessage = o.statusMessage;
    if (o.statusChangedAt !== undefined) entry.official.statusChangedAt = o.statusChangedAt;
    if (o.publishedAt !== undefined) entry.official.publishedAt = o.publishedAt;
    if (o.updatedAt !== undefined) entry.official.updatedAt = o.updatedAt;
  }
  return entry;
}

/** Validates every item; invalid ones are skipped and reported, never fatal. */
export function parseItems(items: readonly unknown[]): ParsedEntries {
  const entries: IncomingEntry[] = [];
  const skipped: SkippedEntry[] = [];
  items.forEach((item, index) => {
    const result = parseItem(item);
    if ('server' in result) entries.push(result);
    else skipped.push({ index, reason: result.reason, ...(result.name ? { name: result.name } : {}) });
  });
  return { entries, skipped };
}

/** Groups entries by name; a repeated (name, version) keeps the last occurrence. */
export function groupByName(entries: readonly IncomingEntry[]): Map<string, IncomingEntry[]> {
  const groups = new Map<string, Map<string, IncomingEntry>>();
  for (const e of entries) {
    let versions = groups.get(e.server.name);
    if (!versions) groups.set(e.server.name, (versions = new Map()));
    versions.set(e.server.version, e);
  }
  return new Map([...groups].map(([name, versions]) => [name, [...versions.values()]]));
}
