/**
 * Hostile result streams at a scale too large to boot quickly: the parser and the boot monitor
 * stay bounded in time and memory (test/faults/kernels.test.ts boots smaller versions).
 */
import { describe, expect, it } from '@jest/globals';
import { BootMonitor, type MonitorSettings } from '../../src/qemu/monitor.js';
import { MAX_LINE_CHARS } from '../../src/util/console.js';
import { parseKtap } from '../../src/results/index.js';
import { MAX_DEPTH } from '../../src/results/tap-stream.js';
import { observe } from '../../src/results/observe.js';
import { harnessProgress } from '../../src/results/progress.js';

const SETTINGS: MonitorSettings = {
  binary: 'qemu-system-x86_64',
  channel: 'console',
  script: [],
  timeouts: { bootMs: 60_000, stallMs: 60_000, totalMs: 600_000 },
  serialCapBytes: 64 * 1024 * 1024,
  maxTests: 10_000,
};

describe('hostile result streams', () => {
  it('a million results: the boot is cut at harness.max-tests, the first 10,000 kept', () => {
    const stops: string[] = [];
    const monitor = new BootMonitor(
      SETTINGS,
      harnessProgress({ format: 'ktap', channel: 'console' }, SETTINGS.maxTests)(),
      0,
      (event) => {
        if (event.kind === 'stop') stops.push(event.message);
      },
    );
    let text = 'KTAP version 1\n1..100000\n';
    for (let i = 1; i <= 1_000_000; i++) {
      text += `ok ${i} t${i}\n`;
      if (i % 50_000 === 0) {
        monitor.console(Buffer.from(text), i);
        text = '';
      }
    }
    const end = monitor.exit({ status: null, stderr: '', consoleCut: false }, 2_000_000);
    expect(stops).toEqual([
      'more than 10000 test results (harness.max-tests): diverge read the first 10000 and stopped the boot',
    ]);
    expect(end.resultLines).toHaveLength(10_002);
    const record = {
      kernel: 'k',
      attempt: 1,
      outcome: end.outcome,
      stage: end.stage,
      durationMs: end.durationMs,
      accel: 'tcg' as const,
      log: '/dev/null',
      splats: [],
      exitStatus: null,
      logTruncated: false,
      command: [],
    };
    const observed = observe(
      {
        record,
        resultLines: end.resultLines,
        scriptTests: [],
        settle: (r) => ({ ...record, ...monitor.settle(r) }),
      },
      { format: 'ktap', channel: 'console' },
      SETTINGS.maxTests,
    );
    // The plan of a million asks for placeholders of the unreported: no more than the cap.
    expect(observed.tests).toHaveLength(10_000);
    expect(observed.tests.at(-1)).toEqual({ id: 't10000', status: 'pass', output: [] });
    expect(observed.problems).toContain('10000 tests past harness.max-tests (10000) dropped');
    expect(observed.boot.outcome).toBe('completed');
  });

  it('nested plans each asking for 100,000 tests: 10,000 placeholders over the stream', () => {
    const lines = ['KTAP version 1', '1..100000'];
    for (let d = 1; d <= 1000; d++) lines.push(`${'    '.repeat(d)}1..100000`);
    const parsed = parseKtap(lines);
    expect(parsed.tests).toHaveLength(10_000);
    expect(parsed.complete).toBe(false);
    expect(parsed.problems).toContain(`subtests nested deeper than ${MAX_DEPTH} levels ignored`);
  });

  it('KTAP nested as deep as a line allows: levels past MAX_DEPTH ignored, the rest parsed', () => {
    const depth = Math.floor(MAX_LINE_CHARS / 4) - 4;
    const lines = ['KTAP version 1', '1..1'];
    for (let d = 1; d <= depth; d++)
      lines.push(`${'    '.repeat(d)}KTAP version 1`, `${'    '.repeat(d)}1..1`);
    for (let d = depth; d >= 1; d--) lines.push(`${'    '.repeat(d)}ok 1 l${d}`);
    lines.push('ok 1 top');
    const parsed = parseKtap(lines);
    expect(parsed.tests.map((t) => t.id)).toEqual([
      `top.${Array.from({ length: MAX_DEPTH - 1 }, (_, i) => `l${i + 1}`).join('.')}`,
    ]);
    expect(parsed.tests[0]?.status).toBe('pass');
    expect(parsed.problems).toEqual([`subtests nested deeper than ${MAX_DEPTH} levels ignored`]);
  });
});
