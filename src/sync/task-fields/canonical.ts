/** Sorted by UTF-16 code units (not the locale), without repeats: the one order every kept list uses. */
export function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A tag name as flowbot keeps it: trimmed and lower-cased; null for a blank one. */
export function tagKey(name: string): string | null {
  const key = name.trim().toLowerCase();
  return key === "" ? null : key;
}
