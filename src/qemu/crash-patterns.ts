import { consolePattern } from '../model/patterns.js';
/**
 * The crash patterns: the console lines that say a kernel died, one row per kernel family. A
 * line any pattern matches is a `panic` splat: the boot ends as `panic` (after a short grace for
 * the trace that follows), whatever QEMU's exit status says afterwards (Pintos powers off
 * normally after its panic), and the test in progress is a `crash` with the line as its reason.
 * `harness.crash` adds patterns of the config's own after these.
 *
 * Each pattern is tried on every console line, with a Linux printk timestamp removed; `^` is the
 * start of that line. Group 1 is the message the splat's fingerprint is made of (numbers and
 * addresses stripped), so the same panic in two boots is one cluster.
 *
 * Left out on purpose, because the kernel goes on and the test's own output shows them: a user
 * process the kernel killed (xv6's `usertrap(): unexpected scause …` and `pid N sh: trap 14 …
 * --kill proc`, Pintos' `… dying due to interrupt …` and `User process panic at …`, JOS'
 * `[00001000] user fault va …` and `user panic in …`), Solo5's `solo5_abort() called` (the
 * application's own abort, which Solo5's test_abort expects), and System/161's `sys161: …` lines
 * (the simulator's, never a QEMU console's). test/qemu/crash-patterns.test.ts holds each row to
 * real console text.
 */

export interface CrashFamily {
  /** The kernels that print these lines, as docs/config.md names them. */
  kernels: string;
  patterns: readonly RegExp[];
}

export const CRASH_PATTERNS = {
  linux: {
    kernels: 'Linux',
    patterns: [/Kernel panic - not syncing: ?(.*)/],
  },
  pintos: {
    kernels: 'Pintos (`PANIC()`, `ASSERT()`, `NOT_REACHED()`)',
    patterns: [/Kernel PANIC (?:recursion )?at (\S+:\d+ in \S+\(\).*)/],
  },
  xv6: {
    // xv6-riscv prints `panic: ` first; xv6 for x86 after `lapicid N: ` (older: `cpuN: `); after
    // `test NAME: ` when the kernel died in the middle of a usertests line.
    kernels: 'xv6 (riscv and x86)',
    patterns: [/(?:^|: )panic: (.*)/],
  },
  jos: {
    // Lab 4 on: `kernel panic on CPU N at …`; ucore, a JOS descendant, prints the same.
    kernels: 'MIT JOS (and ucore)',
    patterns: [/^kernel panic (?:on CPU \d+ )?at (\S+:\d+:.*)/],
  },
  os161: {
    // The same line as xv6-riscv's: the xv6 row, tried first, names it.
    kernels: 'OS/161 (`panic()`, `KASSERT()`)',
    patterns: [/^panic: (.*)/],
  },
  solo5: {
    // `trap:` on x86_64, `Trap:` on aarch64: the first line of a fatal trap, before the ABORT.
    kernels: 'Solo5 (`PANIC()`, `assert()`, stack smashing, fatal traps)',
    patterns: [/^Solo5: ABORT: (.*)/, /^Solo5: trap: (type=.*)/, /^Solo5: Trap: (.* caught)$/],
  },
} as const satisfies Record<string, CrashFamily>;

export type CrashFamilyName = keyof typeof CRASH_PATTERNS;

/** Every built-in pattern, in the table's order: the first that matches a line decides. */
export const BUILTIN_CRASH_PATTERNS: readonly RegExp[] = Object.values(CRASH_PATTERNS).flatMap(
  (family: CrashFamily) => family.patterns,
);

/** The patterns of `harness.crash`, compiled: the config has checked that each compiles. */
export const compileCrashPatterns = (sources: readonly string[] = []): readonly RegExp[] =>
  sources.map((source) => consolePattern(source));

/**
 * The crash message of a line (timestamp already removed): group 1 of the first pattern that
 * matches, the whole line when that pattern has no group; undefined when none matches.
 */
export function crashMessage(line: string, configured: readonly RegExp[] = []): string | undefined {
  for (const patterns of [BUILTIN_CRASH_PATTERNS, configured])
    for (const pattern of patterns) {
      const match = pattern.exec(line);
      if (match) return match[1] ?? match[0];
    }
  return undefined;
}
