import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { Ajv } from 'ajv';
import { parseConfig } from '../../src/config/load.js';
import {
  COURSE_TEXT_CAP_BYTES,
  classroomResult,
  classroomResultBase64,
  gradescopeResults,
} from '../../src/grade/formats.js';
import { scoreReport } from '../../src/grade/rubric.js';
import { makeTest, sampleReport } from '../report/sample.js';

const schema = (name: string) =>
  new Ajv({ allErrors: true, strict: false }).compile(
    JSON.parse(readFileSync(new URL(`../formats/${name}`, import.meta.url), 'utf8')) as object,
  );
const classroomSchema = schema('classroom-result.schema.json');
const gradescopeSchema = schema('gradescope-results.schema.json');

// fs.* tests are worth 3 points, the rest 1 (the defaults credit same, fix, expected fully, flaky half).
const { grading } = parseConfig(
  'grading:\n  points: [{ test: "fs.*", points: 3 }]\n  default-points: 1\n',
  '/course/diverge.yml',
);

describe('the GitHub Classroom result', () => {
  const report = sampleReport();
  const encoded = classroomResultBase64(report, scoreReport(report, grading));
  const decoded = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as ReturnType<
    typeof classroomResult
  >;

  it("is base64 of the grader's published result shape", () => {
    expect(classroomSchema(decoded)).toBe(true);
    expect(classroomSchema.errors).toBeNull();
  });

  it('adds up as the grading reporter adds it: the sum of test scores out of max_score', () => {
    // sample: 3 crashes worth 3 each earn 0; same ×2, fix, expected earn 1 each; flaky earns 0.5.
    const total = decoded.tests.reduce((sum, test) => sum + test.score, 0);
    expect([total, decoded.max_score]).toEqual([4.5, 16]);
  });

  it('fails the step on any test that did not earn all its points, with the reason', () => {
    expect(decoded.status).toBe('fail');
    const crash = decoded.tests.find((test) => test.name === 'fs.open');
    expect(crash).toMatchObject({ status: 'fail', score: 0, max_score: 3 });
    expect(crash?.message).toContain('candidate panicked before finishing the test');
    expect(decoded.tests.find((test) => test.name === 'timer.jitter')).toMatchObject({
      status: 'fail',
      score: 0.5,
    });
    expect(decoded.tests.find((test) => test.name === 'sched.yield')?.status).toBe('pass');
  });

  it('is an error, not a failure, when a verdict is blamed on the infrastructure', () => {
    const report = sampleReport();
    report.tests.push(
      makeTest('boot.all', { class: 'missing', blame: 'infrastructure', reason: 'QEMU killed' }),
    );
    const result = classroomResult(report, scoreReport(report, grading));
    expect(result.status).toBe('error');
    expect(result.tests.at(-1)).toMatchObject({ name: 'boot.all', status: 'error' });
  });

  it('passes when every test earns its points', () => {
    const report = sampleReport();
    report.tests = report.tests.filter((t) =>
      ['same', 'fix', 'expected'].includes(t.verdict.class),
    );
    expect(classroomResult(report, scoreReport(report, grading)).status).toBe('pass');
  });
});

describe('the Gradescope results.json', () => {
  const report = sampleReport();
  const results = gradescopeResults(report, scoreReport(report, grading));

  it("matches the autograder specification's fields", () => {
    expect(gradescopeSchema(results)).toBe(true);
    expect(gradescopeSchema.errors).toBeNull();
  });

  it('carries the rubric score and, per test, its points, status and diff', () => {
    expect(results.score).toBe(4.5);
    const regression = results.tests.find((test) => test.name === 'mm.alloc');
    expect(regression).toMatchObject({ score: 0, max_score: 1, status: 'failed' });
    expect(regression?.output).toContain('+not ok');
    expect(results.tests.find((test) => test.name === 'net.ping')?.status).toBe('passed');
  });

  it('the reference schema refuses what Gradescope does not document', () => {
    expect(gradescopeSchema({ ...results, grade: 3 })).toBe(false);
    expect(gradescopeSchema({ tests: [{ name: 'x', status: 'pass' }] })).toBe(false);
  });
});

describe('kernel text in course formats', () => {
  it('is stripped of control characters and capped', () => {
    const report = sampleReport();
    report.tests = [
      makeTest('evil\u001b[31m.test\u0000', {
        class: 'regression',
        failing: true,
        reason: 'x'.repeat(COURSE_TEXT_CAP_BYTES * 2),
        diff: '\u001b]8;;http://x\u0007link',
      }),
    ];
    const scored = scoreReport(report, grading);
    const [classroom] = classroomResult(report, scored).tests;
    const [gradescope] = gradescopeResults(report, scored).tests;
    expect(classroom?.name).toBe('evil.test');
    expect(Buffer.byteLength(classroom?.message ?? '')).toBeLessThan(COURSE_TEXT_CAP_BYTES + 20);
    expect(gradescope?.output).not.toContain('\u001b');
  });
});
