/**
 * The course's own checker (`harness.checker`): a command run in an image built from the
 * config's repository, on each test's transcript, whose verdict and message become the test's
 * result. What the config, the checker run and the docs share lives here.
 */
import { MiB } from './units.js';

/** Where a test's transcript lies inside the checker's container: `{output}` is `DIR/<test>.output`. */
export const CHECKER_DIR = '/diverge';

/** The words `harness.checker.command` may hold, replaced per test; any other `{word}` is a typo. */
export const CHECKER_PLACEHOLDERS = {
  test: '{test}',
  output: '{output}',
} as const;

/**
 * A test id that may go into the checker's command line and name its transcript file. Ids
 * reported by a kernel (KTAP, regex) are the kernel's text: one outside this is not checked (an
 * infrastructure outcome for that test), so no kernel text reaches an option or a shell word.
 */
export const CHECKABLE_TEST_ID = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** `harness.checker.timeout` when the config does not set one. */
export const DEFAULT_CHECKER_TIMEOUT_MS = 30_000;

/** What each checker container may use: a checker reads one transcript, it needs little. */
export const CHECKER_LIMITS = {
  memoryBytes: 512 * MiB,
  processes: 128,
  /** The writable scratch space of CHECKER_DIR and /tmp, each. */
  scratchBytes: 16 * MiB,
  /** What is read of the checker's output (stdout and stderr together); the rest is dropped. */
  outputBytes: 1 * MiB,
  /** What a test's observation keeps of the checker's message: its start and its end. */
  messageBytes: 4 * 1024,
} as const;

/**
 * How a checker that ran is read: exit 0 or 1 is its verdict (with `pass`, the pattern over its
 * standard output decides; without, 0 passes), any other exit status means the checker itself
 * failed (a crash, perl's `die`), which says nothing about the kernel.
 */
export const CHECKER_VERDICT_EXITS: readonly number[] = [0, 1];
