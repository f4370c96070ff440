/** Index of the first element of sorted `arr` that is >= `value` (plain string order). */
export function lowerBound(arr: readonly string[], value: string): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((arr[mid] as string) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Inserts `value` into sorted `arr` unless present. Returns true when inserted. */
export function sortedInsert(arr: string[], value: string): boolean {
  const i = lowerBound(arr, value);
  if (arr[i] === value) return false;
  arr.splice(i, 0, value);
  return true;
}

/** Removes `value` from sorted `arr` when present. Returns true when removed. */
export function sortedRemove(arr: string[], value: string): boolean {
  const i = lowerBound(arr, value);
  if (arr[i] !== value) return false;
  arr.splice(i, 1);
  return true;
}

/** Plain string comparison (UTF-16 code units), the order the official registry lists in. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
