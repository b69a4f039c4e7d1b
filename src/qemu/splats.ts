import type { Splat, SplatKind } from '../model/boot.js';
import { crashMessage } from './crash-patterns.js';

const TIMESTAMP = /^(?:<\d>)?\[\s*\d+\.\d+\]\s?/;

// Linux's splats that do not end the kernel. Order matters: the first pattern that matches a line
// decides its kind; the crash patterns (crash-patterns.ts), which make `panic`, come before all.
const PATTERNS: readonly [SplatKind, RegExp][] = [
  ['kasan', /BUG: KASAN: (.*)/],
  ['soft-lockup', /BUG: soft lockup - (.*)/],
  ['hard-lockup', /Watchdog detected hard LOCKUP on (.*)/],
  ['hung-task', /INFO: task (.*) blocked for more than/],
  ['rcu-stall', /rcu: INFO: (\S+ (?:self-)?detected stalls?.*)/],
  ['bug', /(?:^|\s)BUG: (.*)/],
  ['oops', /(?:Internal error: )?Oops(?: -)?[:\s](.*)/],
  ['oops', /(general protection fault.*)/],
  ['warning', /WARNING: CPU: \d+ PID: \d+ at (.*)/],
];

export function fingerprint(kind: SplatKind, message: string): string {
  const stable = message
    .replace(/\[[^\]]*\]$/, '') // trailing "[comm:pid]" of lockup reports
    .replace(/\b0x[0-9a-f]+\b/gi, '_')
    .replace(/\b[0-9a-f]{8,}\b/gi, '_')
    .replace(/\d+/g, 'N')
    .replace(/\s+/g, ' ')
    .trim();
  return `${kind}: ${stable}`;
}

/**
 * The splat a console line reports, if any: a `panic` when a crash pattern (the built-in ones,
 * then `crash`, harness.crash's) matches it.
 */
export function detectSplat(
  line: string,
  lineNumber: number,
  crash: readonly RegExp[] = [],
): Splat | undefined {
  const message = line.replace(TIMESTAMP, '');
  const crashed = crashMessage(message, crash);
  if (crashed !== undefined)
    return { kind: 'panic', message, fingerprint: fingerprint('panic', crashed), line: lineNumber };
  for (const [kind, pattern] of PATTERNS) {
    const match = pattern.exec(message);
    if (match)
      return { kind, message, fingerprint: fingerprint(kind, match[1] ?? ''), line: lineNumber };
  }
  return undefined;
}
