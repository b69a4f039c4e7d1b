import { describe, expect, it } from '@jest/globals';
import { renderTerminal } from '../../src/render/terminal.js';
import { makeTest, sampleReport } from '../report/sample.js';

describe('renderTerminal', () => {
  const plain = renderTerminal(sampleReport(), { color: false });

  it('reports each divergence, most severe first, clusters grouped', () => {
    expect(plain).toBe(
      [
        'diverge: candidate vs staff, v1.2, old (broken: no boot observed any test) · x86_64 pc · tcg',
        '',
        '✗ regression mm.alloc: passes on staff (3/3 runs), fails on candidate (3/3 runs)',
        '    fail:runs candidate 3:3, staff 0:3 · agreeing staff · confidence 100%',
        '    --- staff',
        '    +++ candidate',
        '    @@ -1,2 +1,2 @@',
        '     alloc 4096',
        '    -ok',
        '    +not ok',
        '✗ crash      3 tests: BUG: kernel NULL pointer dereference',
        '    fs.open, fs.read, fs.write',
        '    fs.open: candidate panicked before finishing the test; staff and v1.2 finished it',
        '    fail:runs candidate 1:1, staff 0:1, v1.2 0:1 · agreeing staff, v1.2 · confidence 100%',
        '✗ output     proc.ps: same status, different output',
        '    fail:runs candidate 0:1, staff 0:1 · agreeing staff, v1.2 · confidence 100%',
        '    --- staff',
        '    +++ candidate',
        '    -PID CMD',
        '    +PID  CMD',
        '• flaky      timer.jitter: candidate passes 1 of 3 runs',
        '    fail:runs candidate 2:3, staff 0:3 · agreeing staff, v1.2 · confidence 100% · does not fail the run',
        '• fix        net.ping: fix on candidate',
        '    fail:runs candidate 0:1, staff 0:1 · agreeing v1.2 · confidence 50% · does not fail the run',
        '',
        '• expected   mm.leak (would be regression): known leak, fixed in lab 3',
        'stale expectation fs.mkdir: fixed long ago',
        '2 learned normalisation masks, e.g. took <learned> ms in timer.jitter',
        '',
        '10 tests: 2 same, 1 regression, 3 crash, 1 output, 1 flaky, 1 fix, 1 expected — failure (5 failing)',
        '',
      ].join('\n'),
    );
  });

  it('names the same tests the references vary on', () => {
    const report = sampleReport();
    report.tests.push(
      ...Array.from({ length: 6 }, (_, i) =>
        makeTest(`sched.t${i}`, { class: 'same', severity: 'none', varying: ['staff'] }),
      ),
    );
    expect(renderTerminal(report, { color: false })).toContain(
      '\n6 tests the references vary on, the candidate within what they showed: sched.t0, sched.t1, sched.t2, sched.t3, sched.t4, …\n',
    );
    expect(plain).not.toContain('vary on');
  });

  it('caps diffs', () => {
    const out = renderTerminal(sampleReport(), { color: false, maxDiffLines: 2 });
    expect(out).toContain('    --- staff\n    +++ candidate\n    … 4 more lines\n✗ crash ');
  });

  it('shows the most severe divergences up to its cap, then how many more and where they are', () => {
    const report = sampleReport();
    report.tests.push(
      ...Array.from({ length: 120 }, (_, i) =>
        makeTest(`many.t${String(i).padStart(3, '0')}`, {
          class: 'regression',
          failing: true,
          // A signature of its own, or the clustering would make them one entry.
          reason: `regression number ${i}`,
        }),
      ),
      ...Array.from({ length: 25 }, (_, i) =>
        makeTest(`known.t${i}`, { class: 'expected', severity: 'none' }),
      ),
    );
    const out = renderTerminal(report, { color: false, maxEntries: 10 });
    const isEntry = (l: string) => /^[✗•] [a-z]/.test(l) && !l.startsWith('• expected');
    const shown = out.split('\n').filter(isEntry);
    expect(shown).toHaveLength(10);
    // The first ten of the whole list, in its order (most severe first).
    const entries = renderTerminal(report, { color: false, maxEntries: 1000 })
      .split('\n')
      .filter(isEntry);
    expect(shown).toEqual(entries.slice(0, 10));
    expect(out).toContain(
      `… ${entries.length - 10} more divergences (${entries.length - 10 + 2} tests): every one is in report.md and report.html\n`,
    );
    expect(out.split('\n').filter((l) => l.startsWith('• expected'))).toHaveLength(20);
    expect(out).toContain('• 6 more expected tests\n');
    // The default shows 50.
    const byDefault = renderTerminal(report, { color: false });
    expect(byDefault).toContain(`… ${entries.length - 50} more divergences`);
  });

  it("lists a cluster's first twenty tests", () => {
    const report = sampleReport();
    const crash = report.tests.find((t) => t.id === 'fs.open')?.verdict;
    if (!crash) throw new Error('the sample report has no fs.open');
    report.tests.push(
      ...Array.from({ length: 30 }, (_, i) => ({ ...makeTest(`fs.more${i}`, crash) })),
    );
    const out = renderTerminal(report, { color: false });
    expect(out).toContain('✗ crash      33 tests: BUG: kernel NULL pointer dereference\n');
    expect(out).toMatch(
      /\n {4}fs\.open, fs\.read, fs\.write, fs\.more0, .*, fs\.more16, … 13 more\n/,
    );
  });

  it('colours classes, diff lines and the conclusion only when asked', () => {
    const out = renderTerminal(sampleReport(), { color: true });
    expect(out).toContain('✗ \x1b[31mregression\x1b[39m mm.alloc');
    expect(out).toContain('• \x1b[33mflaky     \x1b[39m timer.jitter');
    expect(out).toContain('• \x1b[36mfix       \x1b[39m net.ping');
    expect(out).toContain('    \x1b[31m-ok\x1b[39m\n    \x1b[32m+not ok\x1b[39m\n');
    expect(out).toContain('— \x1b[31mfailure\x1b[39m (5 failing)\n');
    expect(plain).not.toContain('\x1b');
  });

  it('removes control characters and escape sequences from kernel text', () => {
    const report = sampleReport();
    report.tests = [
      makeTest('\x1b[2Jevil\x07\u202e', {
        class: 'output',
        reason: 'line\none\r\x9b31m',
        diff: '-\x1b]8;;http://x\x07a\tb\n+c\x00\n',
      }),
    ];
    const out = renderTerminal(report, { color: false });
    expect(out).toContain('• output     evil: line one \n');
    expect(out).toContain('    -a      b\n    +c\n'); // tab to column 8
  });

  it('ends a neutral run with its note', () => {
    const report = sampleReport();
    report.summary = {
      ...report.summary,
      conclusion: 'neutral',
      failing: 0,
      note: 'every reference is broken',
    };
    expect(renderTerminal(report, { color: false })).toMatch(
      / — neutral — every reference is broken\n$/,
    );
  });
});
