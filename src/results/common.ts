import type { TestObservation } from '../model/results.js';

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

// A printk timestamp after other text on the same line: the kernel's own message interrupted a
// line of the harness on the shared console.
const INTERRUPTING_PRINTK = /(?<=\S)\[\s*\d+\.\d{6}\] /;

/**
 * Splits lines where a kernel message broke into harness output on the console
 * (`ok 14 mseal_probe[    2.295511] tsc: Refined TSC ...`), so the result keeps its own line.
 * Only a result that ended before the kernel message began can be saved this way; the second
 * serial port (`results.channel: serial2`) avoids the problem entirely.
 */
export function splitKernelMessages(lines: readonly string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    let rest = line;
    let match = INTERRUPTING_PRINTK.exec(rest);
    while (match) {
      out.push(rest.slice(0, match.index));
      rest = rest.slice(match.index);
      match = INTERRUPTING_PRINTK.exec(rest.slice(1));
      if (match) match.index += 1;
    }
    out.push(rest);
  }
  return out;
}
