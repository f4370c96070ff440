/**
 * The catalogue's one clock. Every write is stamped inside its Lua script from Redis' own `TIME`,
 * strictly increasing in commit order at microsecond resolution, so a row's `updatedAt` orders
 * changes the way they were committed whatever process or machine wrote them. Writers put
 * {@link NOW} where the time belongs; the script substitutes it.
 */

/** The placeholder a writer stores where the commit time belongs (a whole JSON string value). */
export const NOW = '@@NOW@@';

/**
 * Parses an RFC 3339 time to microseconds since the epoch (fractions beyond µs are truncated, which
 * keeps "strictly greater than" exact for the µs stamps the gateway writes). NaN when invalid.
 */
export function parseMicros(iso: string): number {
  const m = /^(.*?:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/i.exec(iso);
  if (!m) return Number.NaN;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return Number.NaN;
  const frac = (m[2] ?? '').slice(0, 6).padEnd(6, '0');
  return ms * 1000 + Number(frac);
}

/** Formats microseconds since the epoch as RFC 3339 UTC with six fractional digits. */
export function formatMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const iso = new Date(ms).toISOString(); // yyyy-mm-ddThh:mm:ss.mmmZ
  const micro = String(us - ms * 1000).padStart(3, '0');
  return `${iso.slice(0, 23)}${micro}Z`;
}
