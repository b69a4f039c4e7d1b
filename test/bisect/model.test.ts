/** bisect.json's schema, and bisect.md and the terminal lines with hostile commit text. */
import { describe, expect, it } from '@jest/globals';
import { plainBisectSteps, validateBisect } from '../../src/bisect/model.js';
import { renderBisectMarkdown, resultText, stepLine } from '../../src/bisect/render.js';
import type { Bisect } from '../../src/model/bisect.js';

const commit = (n: number, subject = `commit ${n}`) => ({
  sha: String(n).repeat(40),
  subject,
  author: 'A. Hacker <a@example.org>',
  date: '2026-01-01T00:00:00+00:00',
});

const sample = (): Bisect => ({
  schema: 'diverge.bisect/v1',
  run: {
    startedAt: '2026-11-30T10:00:00.000Z',
    durationMs: 61_000,
    tool: { name: 'diverge', version: '0.1.0' },
    host: { qemu: '7.2.22', accel: 'tcg', cpus: 2 },
  },
  outcome: 'culprit',
  good: commit(1),
  bad: commit(9),
  range: { commits: 8, firstParent: false },
  selection: { tests: [], classes: ['regression', 'crash'] },
  references: ['good'],
  culprit: commit(5, 'alloc: <img src=x onerror=alert(1)> **bold** `tick` [x](javascript:1)'),
  undecided: [],
  tests: [{ id: 'alloc_distinct', class: 'regression', diff: '--- a\n+++ b\n-pass\n+fail\n```' }],
  steps: [
    {
      sha: commit(9).sha,
      subject: 'head',
      round: 1,
      verdict: 'bad',
      build: 'built',
      boots: 10,
      flaky: [],
      diverging: ['alloc_distinct'],
      durationMs: 7000,
      report: 'steps/999999999999/report.json',
    },
    {
      sha: commit(4).sha,
      subject: 'wip\x1b[31m red',
      round: 2,
      verdict: 'skip',
      build: 'skipped',
      boots: 0,
      flaky: [],
      diverging: [],
      reason: 'does not build: kernel.build: step 15/19 failed',
      durationMs: 2000,
    },
  ],
  skipped: [commit(4)],
  rounds: 2,
  slots: 2,
  builds: { built: 1, reused: 0, skipped: 1 },
  plainSteps: 4,
});

describe('bisect.json schema', () => {
  it('accepts a whole bisect and one without a culprit', () => {
    expect(validateBisect(sample())).toBeTruthy();
    expect(
      validateBisect({ ...sample(), outcome: 'bad-revision-good', culprit: null, tests: [] }),
    ).toBeTruthy();
  });

  it('refuses unknown verdicts, builds, classes and fields, naming the field', () => {
    const bad = sample();
    (bad.steps[0] as { verdict: string }).verdict = 'maybe';
    expect(() => validateBisect(bad, 'x/bisect.json')).toThrow(
      /x\/bisect\.json: \/steps\/0\/verdict/,
    );
    const build = sample();
    (build.steps[1] as { build: string }).build = 'cached';
    expect(() => validateBisect(build)).toThrow(/\/steps\/1\/build/);
    const cls = sample();
    (cls.tests[0] as { class: string }).class = 'broken';
    expect(() => validateBisect(cls)).toThrow(/\/tests\/0\/class/);
    expect(() => validateBisect({ ...sample(), extra: 1 })).toThrow(/additional/);
    expect(() => validateBisect({ ...sample(), culprit: { sha: 'abc' } })).toThrow(/culprit/);
  });
});

describe('a plain bisect', () => {
  it('needs ceil(log2(N + 1)) steps for N candidate commits', () => {
    expect([1, 2, 3, 31, 32, 255, 256].map(plainBisectSteps)).toEqual([1, 2, 2, 5, 6, 8, 9]);
  });
});

describe('bisect.md', () => {
  it('escapes the subject, the author and the diff', () => {
    const md = renderBisectMarkdown(sample());
    expect(md).not.toContain('<img');
    expect(md).not.toContain('**bold**');
    expect(md).not.toContain('](javascript');
    expect(md).not.toContain('\x1b');
    expect(md).toMatch(/^ {2}````diff$/m);
    expect(md).toContain('| 2 | `444444444444` wip red | skip | skipped | 0 | 2.0 s |');
    expect(md).toContain('## Skipped commits');
    expect(md).toContain('a plain one-at-a-time bisect: 4 steps');
  });

  it('says when there is no culprit', () => {
    const md = renderBisectMarkdown({ ...sample(), outcome: 'bad-revision-good', culprit: null });
    expect(md).toContain('## No culprit');
    expect(md).toContain('does not diverge from the references');
  });
});

describe('terminal', () => {
  it('shows each step on one line and the culprit at the end, without escape sequences', () => {
    const line = stepLine(sample().steps[1] as Bisect['steps'][number]);
    expect(line).toBe(
      'round 2: 444444444444 SKIP (skipped; 0 boot(s); does not build: kernel.build: step 15/19 failed, 2.0 s) wip red',
    );
    const text = resultText(sample());
    expect(text).toMatch(/^first bad commit:\n {2}555555555555 alloc: /);
    expect(text).toContain('  alloc_distinct: regression\n');
    expect(text).toContain(
      '2 step(s) in 2 round(s) of up to 2 over 8 commit(s) (a plain bisect: 4 steps)',
    );
  });
});
