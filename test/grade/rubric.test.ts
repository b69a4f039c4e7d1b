/**
 * The rubric: points per test (first matching glob, else default-points) times the share its
 * class earns (design.md: same, fix and expected all, flaky half, the rest nothing), and the
 * `grading:` block's validation.
 */
import { describe, expect, it } from '@jest/globals';
import { parseConfig } from '../../src/config/load.js';
import { DIVERGENCE_CLASSES } from '../../src/model/classes.js';
import {
  checkRubric,
  maxPoints,
  RubricError,
  scoreClasses,
  scoreReport,
} from '../../src/grade/rubric.js';
import type { Report } from '../../src/model/report.js';

const gradingOf = (yaml: string) => parseConfig(yaml, '/course/diverge.yml').grading;

describe('the grading block', () => {
  it('defaults: 1 point a test; same, fix and expected earn all, flaky half, every other class 0', () => {
    const { defaultPoints, points, credit } = gradingOf('');
    expect(defaultPoints).toBe(1);
    expect(points).toEqual([]);
    const earning = Object.fromEntries(
      DIVERGENCE_CLASSES.filter((c) => credit[c] > 0).map((c) => [c, credit[c]]),
    );
    expect(earning).toEqual({ same: 1, fix: 1, expected: 1, flaky: 0.5 });
  });

  it('takes a class the config sets and keeps the defaults of the others', () => {
    const { credit } = gradingOf('grading: { credit: { flaky: 0, output: 0.25 } }');
    expect(credit.flaky).toBe(0);
    expect(credit.output).toBe(0.25);
    expect(credit.same).toBe(1);
  });

  it.each([
    [
      'grading: { credit: { bogus: 1 } }',
      /grading\.credit\.bogus: unknown key \(expected one of same, regression/,
    ],
    [
      'grading: { credit: { same: 2 } }',
      /grading\.credit\.same: expected a share of the points, 0\.\.1, got 2/,
    ],
    [
      'grading: { default-points: -1 }',
      /grading\.default-points: expected a number of points ≥ 0, got -1/,
    ],
    ['grading: { points: [{ test: "a*" }] }', /grading\.points\[0\]\.points: missing/],
    ['grading: { points: [{ points: 2 }] }', /grading\.points\[0\]\.test: missing/],
    [
      'grading: { extra: 1 }',
      /grading\.extra: unknown key \(expected one of points, default-points, credit, build\)/,
    ],
  ])('rejects %s with a message naming the field', (yaml, message) => {
    expect(() => gradingOf(yaml)).toThrow(message);
  });
});

describe('scoring', () => {
  const grading = gradingOf(`
grading:
  points: [{ test: "alloc_*", points: 3 }, { test: "alloc_huge", points: 10 }, { test: "thread.**", points: 2 }]
  default-points: 1
`);

  it('gives a test the points of the first glob that matches, else default-points', () => {
    const score = scoreClasses(
      { alloc_huge: 'same', 'thread.join.self': 'same', getpid: 'same', 'alloc_x.y': 'same' },
      grading,
    );
    expect(score.tests.map((t) => [t.id, t.max])).toEqual([
      ['alloc_huge', 3], // alloc_* comes first
      ['thread.join.self', 2], // ** crosses dots
      ['getpid', 1],
      ['alloc_x.y', 1], // * does not cross a dot
    ]);
    expect(score).toMatchObject({ score: 7, max: 7 });
  });

  it('earns each class its share: flaky half, a regression nothing, a new test is worth nothing', () => {
    const score = scoreClasses(
      {
        alloc_a: 'flaky',
        alloc_b: 'regression',
        getpid: 'fix',
        sleep: 'expected',
        gdt: 'new',
        x: 'crash',
      },
      grading,
    );
    expect(score.tests.map((t) => [t.id, t.points, t.max])).toEqual([
      ['alloc_a', 1.5, 3],
      ['alloc_b', 0, 3],
      ['getpid', 1, 1],
      ['sleep', 1, 1],
      ['gdt', 0, 0],
      ['x', 0, 1],
    ]);
    expect(score).toMatchObject({ score: 3.5, max: 9 });
  });

  it('scores a report by its verdicts', () => {
    const report = {
      tests: [
        { id: 'alloc_a', verdict: { class: 'same' } },
        { id: 'getpid', verdict: { class: 'output' } },
      ],
    } as unknown as Report;
    expect(scoreReport(report, grading)).toEqual({
      score: 3,
      max: 4,
      tests: [
        { id: 'alloc_a', class: 'same', points: 3, max: 3 },
        { id: 'getpid', class: 'output', points: 0, max: 1 },
      ],
    });
  });

  it('keeps thirds summed to a thousandth', () => {
    const thirds = gradingOf('grading: { default-points: 0.1 }');
    expect(scoreClasses({ a: 'same', b: 'same', c: 'same' }, thirds).score).toBe(0.3);
    expect(maxPoints(['alloc_a', 'getpid', 'thread.x'], grading)).toBe(6);
  });
});

describe('checkRubric', () => {
  it('refuses a grading.points glob that matches no test, naming the config, the entry and the nearest ids', () => {
    const grading = gradingOf(
      'grading:\n  points:\n    - { test: "alarm-*", points: 2 }\n    - { test: "priorty-*", points: 3 }\n',
    );
    const tests = ['alarm-single', 'alarm-multiple', 'priority-change', 'priority-fifo'];
    expect(() => checkRubric(grading, tests, '/course/diverge.yml')).toThrow(
      new RubricError(
        '/course/diverge.yml: grading.points[1].test: "priorty-*" matches no test (nearest: priority-change, priority-fifo)',
      ),
    );
    expect(() => checkRubric(grading, [...tests, 'priorty-x'], '/c.yml')).not.toThrow();
  });
});
