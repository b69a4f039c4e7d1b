/** Runs `work` over `items`, at most `limit` at a time, keeping the results in item order. */
export async function inParallel<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Runs a piece of work when a slot is free; see `limiter`. */
export type Limiter = <R>(work: () => Promise<R>) => Promise<R>;

/**
 * One bounded queue that several callers share (diverge grade: every build and every boot),
 * first come first served, at most `limit` pieces of work at a time.
 */
export function limiter(limit: number): Limiter {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <R>(work: () => Promise<R>): Promise<R> => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await work();
    } finally {
      // The slot passes straight to the next waiter, so `running` never drops and rises again.
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
