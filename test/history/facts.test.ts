/** The facts history derives per test, from hand-made timelines. */
import { describe, expect, it } from '@jest/globals';
import { allFacts, brokeWithNoCommit, testFacts } from '../../src/history/facts.js';
import { ID_CHARS, historySummary, historyText, shownId } from '../../src/history/show.js';
import { badge } from '../../src/history/site.js';
import {
  classOfCode,
  encode,
  failingCode,
  stateOfCode,
  statusOfCode,
  timelineOf,
} from '../../src/history/timeline.js';
import { DIVERGENCE_CLASSES } from '../../src/model/classes.js';
import { HISTORY_STATUSES, type HistoryReport } from '../../src/model/history.js';
import { historyRun, type RunSketch, type Said } from '../helpers/history.js';

/** Runs one an hour, of commits c0, c1, …, unless a sketch says otherwise. */
const timeline = (runs: (Partial<RunSketch> & { tests: Record<string, Said> })[]) =>
  timelineOf(runs.map((r, i) => historyRun({ commit: `c${i}`, hour: i, ...r })));

const factsOf = (runs: Parameters<typeof timeline>[0], id = 'a') => {
  const t = timeline(runs);
  return testFacts(t, t.tests.indexOf(id));
};

describe('a cell code', () => {
  it('keeps every class, status and the failing bit', () => {
    for (const cls of DIVERGENCE_CLASSES)
      for (const status of HISTORY_STATUSES)
        for (const failing of [false, true]) {
          const code = encode(cls, failing, status);
          expect(code).toBeGreaterThan(0);
          expect(code).toBeLessThan(256);
          expect([classOfCode(code), statusOfCode(code), failingCode(code)]).toEqual([
            cls,
            status,
            failing,
          ]);
        }
  });

  it('says the state: failing is broken, flaky is flaky, 0 is absent', () => {
    expect(stateOfCode(encode('regression', true, 'fail'))).toBe('broken');
    expect(stateOfCode(encode('regression', false, 'fail'))).toBe('good');
    expect(stateOfCode(encode('flaky', false, 'varies'))).toBe('flaky');
    expect(stateOfCode(0)).toBe('absent');
  });
});

describe('the facts of a test', () => {
  it('broken since the first run of the current streak, last good the run before', () => {
    const facts = factsOf([
      { tests: { a: 'broken' } },
      { tests: { a: 'good' } },
      { tests: { a: 'good' } },
      { tests: { a: 'broken' } },
      { tests: { b: 'good' } }, // a is not in this run: it neither ends nor extends the streak
      { tests: { a: 'broken' } },
    ]);
    expect(facts).toMatchObject({
      id: 'a',
      state: 'broken',
      brokenSince: { commit: 'c3' },
      lastGood: { commit: 'c2' },
      cause: 'commit',
      fixedAt: null,
    });
    expect(brokeWithNoCommit(facts)).toBe(false);
  });

  it('broke with no commit: the references changed, or the toolchain, or nothing', () => {
    const same = { commit: 'c0' };
    const cases: [Partial<RunSketch>, string][] = [
      [{ staff: 'sha256:staff-2' }, 'references'],
      [{ qemu: '8.0.0' }, 'toolchain'],
      [{}, 'nothing'],
    ];
    for (const [change, cause] of cases) {
      const facts = factsOf([
        { ...same, tests: { a: 'good' } },
        { ...same, ...change, tests: { a: 'broken' } },
      ]);
      expect([facts.cause, brokeWithNoCommit(facts)]).toEqual([cause, true]);
    }
  });

  it('a test broken from its first run: cause unknown, never good', () => {
    const facts = factsOf([{ tests: { a: 'broken' } }, { tests: { a: 'broken' } }]);
    expect(facts).toMatchObject({
      brokenSince: { commit: 'c0' },
      lastGood: null,
      cause: 'unknown',
    });
    expect(brokeWithNoCommit(facts)).toBe(false);
  });

  it('fixed: good again since the first run after the broken streak', () => {
    const facts = factsOf([
      { tests: { a: 'good' } },
      { tests: { a: 'broken' } },
      { tests: { a: 'good' } },
      { tests: { a: 'good' } },
    ]);
    expect(facts).toMatchObject({
      state: 'good',
      brokenSince: null,
      cause: null,
      lastGood: { commit: 'c3' },
      fixedAt: { commit: 'c2' },
    });
  });

  it('a flake rate over the last N runs that had the test', () => {
    const runs = [
      ...Array.from({ length: 10 }, () => ({ tests: { a: 'flaky' as Said } })),
      ...Array.from({ length: 3 }, () => ({ tests: { a: 'flaky' as Said } })),
      ...Array.from({ length: 7 }, () => ({ tests: { a: 'good' as Said } })),
    ];
    const t = timeline(runs);
    expect(testFacts(t, 0, 10).flakeRate).toBeCloseTo(0.3);
    expect(testFacts(t, 0, 20).flakeRate).toBeCloseTo(13 / 20);
    expect(testFacts(t, 0, 1000).flakeRate).toBeCloseTo(13 / 20);
  });

  it('a test missing from the latest run is absent; an empty history has no facts', () => {
    expect(factsOf([{ tests: { a: 'good' } }, { tests: { b: 'good' } }]).state).toBe('absent');
    expect(allFacts(timelineOf([]))).toEqual([]);
  });

  it('variants are told apart by their name', () => {
    const record = historyRun({ commit: 'c0', hour: 0, tests: { a: 'good' } });
    const [only] = record.reports;
    const other = { ...structuredClone(only), variant: 'smp' } as HistoryReport;
    record.reports.push(other);
    expect(timelineOf([record]).tests).toEqual(['a', 'smp/a']);
  });

  it('links the run that broke it to its report', () => {
    const facts = factsOf([
      { tests: { a: 'good' } },
      { tests: { a: 'broken' }, link: 'https://example.org/runs/2/report.html' },
    ]);
    expect(facts.brokenSince).toEqual({
      commit: 'c1',
      time: '2026-11-01T01:00:00.000Z',
      link: 'https://example.org/runs/2/report.html',
    });
  });
});

describe('history show', () => {
  const runs = timeline([
    { tests: { a: 'good', b: 'good', c: 'broken', 'evil\u001b[31m': 'good' } },
    {
      commit: 'c0',
      staff: 'sha256:new',
      tests: { a: 'broken', b: 'flaky', c: 'good', 'evil\u001b[31m': 'broken' },
    },
  ]);
  const facts = allFacts(runs);

  it('says what is broken, since when and why, what is flaky and what was fixed', () => {
    const text = historyText(runs, facts);
    expect(text).toContain('2 runs, 4 tests');
    expect(text).toContain('2 broken:');
    expect(text).toContain(
      'broken since c0 (2026-11-01T01:00:00.000Z), with no commit: the references changed',
    );
    expect(text).toContain('b  50% of its latest runs');
    expect(text).toMatch(/1 fixed:\n {2}c {2}good again since c0/);
    expect(text).not.toContain('\u001b');
  });

  it('--json: {tests: [{id, state, brokenSince, lastGood, flakeRate}]}', () => {
    const summary = historySummary(facts);
    expect(summary.tests[0]).toMatchObject({
      id: 'a',
      state: 'broken',
      brokenSince: { commit: 'c0', time: '2026-11-01T01:00:00.000Z' },
      lastGood: { commit: 'c0', time: '2026-11-01T00:00:00.000Z' },
      flakeRate: 0,
    });
  });

  it('an empty store says so', () => {
    expect(historyText(timelineOf([]), [])).toBe('No runs recorded yet.\n');
  });
});

describe('badge.json', () => {
  const facts = (...states: Said[]) =>
    allFacts(timeline([{ tests: Object.fromEntries(states.map((s, i) => [`t${i}`, s])) }]));

  it('says how many tests are broken, or passing, or that nothing ran', () => {
    expect(badge(facts('good', 'broken', 'broken', 'flaky'), 1)).toEqual({
      schemaVersion: 1,
      label: 'diverge',
      message: '2 broken',
      color: 'red',
    });
    expect(badge(facts('good', 'flaky'), 1)).toMatchObject({
      message: 'passing',
      color: 'brightgreen',
    });
    expect(badge([], 0)).toMatchObject({ message: 'no runs', color: 'lightgrey' });
  });
});

describe('a test id on the terminal', () => {
  it('is one line without control characters, cut at ID_CHARS', () => {
    expect(shownId('a\nb\u001b[2Jc\u202e')).toBe('a bc');
    const long = shownId('é'.repeat(ID_CHARS + 5));
    expect([...long]).toHaveLength(ID_CHARS);
    expect(long.endsWith('…')).toBe(true);
  });
});
