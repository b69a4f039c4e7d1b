import type { TestObservation } from './types.js';

/** `<6>` log level, `[    1.234567]` timestamp and `[    T1]` caller id that printk puts before a message. */
const PRINTK_PREFIX = /^(?:<\d{1,2}>)?(?:\[\s*\d+\.\d+\](?:\[\s*[CT]\d+\])? ?)?/;

export function stripPrintk(line: string): string {
  return line.replace(PRINTK_PREFIX, '');
}

/**
 * Makes ids unique in place: the first test keeps its id, later ones get `~2`, `~3`, … so that
 * every observation can still be compared across kernels.
 */
export function uniqueIds(tests: TestObservation[], problems: string[]): void {
  const taken = new Set<string>();
  const lastSuffix = new Map<string, number>();
  for (const test of tests) {
    if (!taken.has(test.id)) {
      taken.add(test.id);
      continue;
    }
    let suffix = lastSuffix.get(test.id) ?? 1;
    do suffix++;
    while (taken.has(`${test.id}~${suffix}`));
    lastSuffix.set(test.id, suffix);
    const renamed = `${test.id}~${suffix}`;
    problems.push(`duplicate test id "${test.id}" renamed to "${renamed}"`);
    taken.add(renamed);
    test.id = renamed;
  }
}
