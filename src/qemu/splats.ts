import type { Splat, SplatKind } from '../model/boot.js';

const TIMESTAMP = /^(?:<\d>)?\[\s*\d+\.\d+\]\s?/;

// Order matters: the first pattern that matches a line decides its kind.
const PATTERNS: readonly [SplatKind, RegExp][] = [
  ['panic', /Kernel panic - not syncing: ?(.*)/],
  // Teaching kernels in the xv6 tradition print `panic: reason` at the start of a line.
  ['panic', /^panic: (.*)/],
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

/** The splat a console line reports, if any. */
export function detectSplat(line: string, lineNumber: number): Splat | undefined {
  const message = line.replace(TIMESTAMP, '');
  for (const [kind, pattern] of PATTERNS) {
    const match = pattern.exec(message);
    if (match)
      return { kind, message, fingerprint: fingerprint(kind, match[1] ?? ''), line: lineNumber };
  }
  return undefined;
}
