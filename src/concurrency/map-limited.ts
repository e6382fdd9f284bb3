import pLimit from "p-limit";

/** `fn` over `items`, at most `limit` at a time, started in item order: one promise per item. */
export function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R>[] {
  const slots = pLimit(limit);
  return items.map((item) => slots(() => fn(item)));
}
