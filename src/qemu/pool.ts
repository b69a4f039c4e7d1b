import { availableParallelism, freemem } from 'node:os';

/**
 * How many boots run at once: TCG boots spend part of their time waiting on timers and I/O, so
 * two per core keeps the cores busy; memory bounds it too (guest RAM plus QEMU's own overhead).
 */
export function defaultParallelism(memoryMiB: number, cpusPerBoot: number): number {
  const byCores = Math.max(1, Math.floor((availableParallelism() * 2) / cpusPerBoot));
  const byMemory = Math.max(1, Math.floor(freemem() / ((memoryMiB + 128) * 1024 * 1024)));
  return Math.min(byCores, byMemory);
}

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
