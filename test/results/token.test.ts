import { describe, expect, it } from '@jest/globals';
import type { BootCapture, BootOutcome, BootRecord, ResultsSummary } from '../../src/model/boot.js';
import { appendWithToken, tokenLine } from '../../src/model/token.js';
import type { ResultsSettings } from '../../src/results/formats.js';
import { observe } from '../../src/results/observe.js';

const TOKEN = '0123456789abcdef0123456789abcdef';
const OTHER = 'fedcba9876543210fedcba9876543210';
const KTAP = { format: 'ktap', channel: 'console' } as const;
const RESULTS = ['KTAP version 1', '1..2', 'ok 1 a', 'ok 2 b'];

/** A boot with `token` whose console carried `lines`; `summaries` gets what it was settled with. */
function capture(lines: string[], outcome: BootOutcome = 'completed', token = TOKEN) {
  const summaries: ResultsSummary[] = [];
  const record: BootRecord = {
    ...{ kernel: 'k', attempt: 1, outcome, stage: 'harness', durationMs: 1, accel: 'tcg' },
    ...{ log: 'k.log', splats: [], exitStatus: null, logTruncated: false, command: [], token },
  };
  const boot: BootCapture = {
    record,
    resultLines: lines,
    scriptTests: [],
    frameToken: token,
    settle: (summary) => {
      summaries.push(summary);
      return record;
    },
  };
  return { boot, summaries };
}

const ids = (lines: string[], outcome?: BootOutcome, format: ResultsSettings = KTAP) => {
  const { boot, summaries } = capture(lines, outcome);
  const observed = observe(boot, format, 100);
  return { tests: observed.tests.map((t) => t.id), notFromHarness: summaries[0]?.notFromHarness };
};

describe("a boot's result token", () => {
  it('goes first on the kernel command line, before any -- that starts init arguments', () => {
    expect(appendWithToken('console=ttyS0 -- -v', TOKEN)).toBe(
      `diverge_token=${TOKEN} console=ttyS0 -- -v`,
    );
    expect(appendWithToken(undefined, TOKEN)).toBe(`diverge_token=${TOKEN}`);
  });

  it('keeps the results the harness framed with it, the kernel messages around them harmless', () => {
    const lines = ['Linux version 6.1', tokenLine(TOKEN), ...RESULTS, tokenLine(TOKEN), 'reboot'];
    expect(ids(lines)).toEqual({ tests: ['a', 'b'], notFromHarness: undefined });
    // The frame line may come with a printk prefix on a shared console.
    const prefixed = [`[    1.000000] ${tokenLine(TOKEN)}`, ...RESULTS];
    expect(ids(prefixed).tests).toEqual(['a', 'b']);
  });

  it('keeps the results after the opening line of a boot that died before the closing one', () => {
    expect(ids([tokenLine(TOKEN), ...RESULTS.slice(0, 3)], 'panic')).toEqual({
      tests: ['a', '#2'], // the plan's second test, missing
      notFromHarness: undefined,
    });
  });

  it('a boot with no results and no token is not flagged: it died before the harness ran', () => {
    expect(ids(['Linux version 6.1', 'Kernel panic - not syncing'], 'panic')).toEqual({
      tests: [],
      notFromHarness: undefined,
    });
  });

  it('discards every result of a replayed log that has no token', () => {
    const { tests, notFromHarness } = ids(RESULTS);
    expect(tests).toEqual([]);
    expect(notFromHarness).toBe(
      "2 results without this boot's token, which its harness frames its results with: a replayed log?",
    );
  });

  it("discards every result of a log framed by another boot's token (a recorded log, or a stale one)", () => {
    const { tests, notFromHarness } = ids([tokenLine(OTHER), ...RESULTS, tokenLine(OTHER)]);
    expect(tests).toEqual([]);
    expect(notFromHarness).toBe(
      `2 results framed by the token of another boot (${OTHER}), not this boot's: a replayed log?`,
    );
  });

  it('discards every result when some lie outside the frame, and the token typed as a command does not count', () => {
    const outside = [
      tokenLine(TOKEN),
      'KTAP version 1',
      '1..2',
      'ok 1 a',
      tokenLine(TOKEN),
      'ok 2 b',
    ];
    expect(ids(outside)).toEqual({
      tests: [],
      notFromHarness: "1 result outside the frame of this boot's token",
    });
    expect(ids([`echo ${tokenLine(TOKEN)}`, ...RESULTS]).tests).toEqual([]);
  });

  it('a transcript, one test spanning the boot, needs the opening line in a boot that completed', () => {
    const transcript = { format: 'transcript', channel: 'console', test: 'all' } as const;
    expect(ids(['hello'], 'completed', transcript).notFromHarness).toBe(
      "1 result without this boot's token, which its harness frames its results with: a replayed log?",
    );
    expect(ids([tokenLine(TOKEN), 'hello'], 'completed', transcript).tests).toEqual(['all']);
  });

  it('a boot without a token takes its results as they come', () => {
    const { boot } = capture(RESULTS);
    delete boot.frameToken;
    expect(observe(boot, KTAP, 100).tests.map((t) => t.id)).toEqual(['a', 'b']);
  });
});
