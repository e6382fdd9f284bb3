/** Runs at most `size` functions at once, starting them in the order `run` was called. */
export function fifoSlots(size: number) {
  let free = size;
  const waiting: (() => void)[] = [];
  return {
    async run<T>(fn: () => Promise<T>): Promise<T> {
      if (free > 0) free -= 1;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        return await fn();
      } finally {
        const next = waiting.shift();
        if (next) next();
        else free += 1;
      }
    },
  };
}

/** `fn` over `items`, at most `limit` at a time, in order: one promise per item. */
export function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R>[] {
  const slots = fifoSlots(limit);
  return items.map((item) => slots.run(() => fn(item)));
}
