/**
 * Parses a human duration string (`500ms`, `30s`, `5m`, `1h`, `1d`, or combinations such as `1h30m`)
 * into milliseconds. Returns `undefined` for anything else.
 */
export function parseDuration(input: string): number | undefined {
  const text = input.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(text)) return undefined;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  let total = 0;
  for (const [, amount, , unit] of text.matchAll(/(\d+(\.\d+)?)(ms|s|m|h|d)/g)) {
    total += Number(amount) * (units[unit as string] ?? 0);
  }
  return Math.round(total);
}
