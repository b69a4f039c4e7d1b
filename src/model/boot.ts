/**
 * What a boot leaves behind, for everything downstream (results/, compare/, report/). These
 * types are qemu/'s side of the contract: results/ imports them, qemu/ imports nothing of
 * results/ (the harness-progress tracker and the parsed-results summary come in as the types
 * below, filled in by results/).
 */
import type { ScriptTest } from './script.js';
import type { BootStage } from './stage.js';

/** How QEMU runs the guest: hardware virtualisation or QEMU's own translator. */
export const ACCELS = ['kvm', 'tcg'] as const;
export type Accel = (typeof ACCELS)[number];
export type AccelRequest = 'auto' | Accel;

/** Kernel splats: the messages a kernel prints when something went wrong inside it. */
export type SplatKind =
  | 'panic'
  | 'oops'
  | 'bug'
  | 'warning'
  | 'kasan'
  | 'rcu-stall'
  | 'soft-lockup'
  | 'hard-lockup'
  | 'hung-task';

export interface Splat {
  kind: SplatKind;
  /** The line as printed (cleaned), without its printk timestamp. */
  message: string;
  /** Kind plus message with numbers, addresses, CPU and PID values stripped: stable across runs. */
  fingerprint: string;
  /** 1-based line of the console log. */
  line: number;
}

/**
 * How a boot ends: the one table of outcomes (report and gradebook schemas hold to it).
 * `not-from-harness` is the kernel's: results that lack the boot's token (src/results/token.ts)
 * were discarded, never judged as reported. The last two are the host's fault, never the
 * kernel's: `qemu-error` (QEMU would not start or refused its arguments) and `infrastructure`
 * (QEMU killed by a signal, console bytes lost, the disk full while capturing). Neither is
 * judged as a kernel divergence nor cached.
 */
export const BOOT_OUTCOMES = [
  'completed',
  'panic',
  'timeout',
  'stalled',
  'no-results',
  'not-from-harness',
  'qemu-error',
  'infrastructure',
] as const;
export type BootOutcome = (typeof BOOT_OUTCOMES)[number];

/** Whether a boot ended for a reason of the host's, not the kernel's. */
export const isInfrastructureOutcome = (outcome: BootOutcome): boolean =>
  outcome === 'qemu-error' || outcome === 'infrastructure';

/**
 * What one more line tells about the harness: nothing, that it runs, that its results are all
 * in, or that it reported more tests than `harness.max-tests` (the boot is cut there).
 */
export type HarnessSignal = 'none' | 'started' | 'complete' | 'too-many';

/** Follows a boot's results channel line by line, for the watchdogs (the full parse comes later). */
export type HarnessProgress = (line: string) => HarnessSignal;

/** What the full parse of a boot's results found, for the boot's last decision (see `settle`). */
export interface ResultsSummary {
  /** The results format, as the no-results message names it. */
  format: string;
  /** Tests found: on the results channel and by the console script. */
  tests: number;
  /** Whether the results stream ended the way its format promises. */
  complete: boolean;
  /** Why the results were discarded as not the harness's (their token was wrong or missing). */
  notFromHarness?: string;
}

/** What QEMU and the kernel did in one boot; the results are parsed from the captured lines. */
export interface BootRecord {
  kernel: string;
  attempt: number;
  /** The test this boot ran, when the harness boots once per test. */
  test?: string;
  outcome: BootOutcome;
  stage: BootStage;
  durationMs: number;
  accel: Accel;
  /** Serial log, as captured (raw bytes, capped). */
  log: string;
  /** The results channel's capture when it is not the console: the second serial port, the driver's stdout. */
  resultsLog?: string;
  splats: Splat[];
  exitStatus: number | null;
  /** Why the boot ended the way it did, for people: a timeout, QEMU's error, a cut log. */
  message?: string;
  logTruncated: boolean;
  command: string[];
  /**
   * The boot's result token (src/results/token.ts): fresh per boot, given to the harness on the
   * kernel command line; a cached observation keeps the one it was booted with.
   */
  token?: string;
  /** True when this boot was not run now but taken from the observation cache. */
  cached?: boolean;
  /** True when this boot started from the VM saved at its harness's ready point (qemu/snapshot.ts). */
  restored?: boolean;
}

export interface BootCapture {
  /** The boot as it stood when QEMU exited; `settle` gives the final record. */
  record: BootRecord;
  /** Clean lines of the results channel (the console unless `serial2` or `driver`). */
  resultLines: string[];
  /** Tests observed by the console script, if there was one. */
  scriptTests: ScriptTest[];
  /** The token the harness frames its results with (`harness.token: cmdline`), if any. */
  frameToken?: string;
  /**
   * The boot's last decision, once results/ has parsed `resultLines`: the outcome
   * (`no-results`) and the stage (`done`) that depend on the full parse. Made by the boot's
   * monitor, so that outcome and stage are decided in one place.
   */
  settle(results: ResultsSummary): BootRecord;
}
