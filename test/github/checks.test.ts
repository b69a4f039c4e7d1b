import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { annotationsFor, locateTests, MAX_ANNOTATIONS } from '../../src/github/checks.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { boot, judgedReport } from '../helpers/observations.js';

describe('annotations', () => {
  it('sit on the harness line that defines the test, else on the config file', async () => {
    const located = await locateTests(
      ['alloc_distinct', 'suite.thread_join', 'no_such_test_anywhere'],
      [path.join(REPO_ROOT, 'fixtures/course/harness')],
      REPO_ROOT,
    );
    expect(located.get('alloc_distinct')?.path).toBe('fixtures/course/harness/harness.c');
    expect(located.get('suite.thread_join')?.path).toBe('fixtures/course/harness/harness.c');
    expect(located.has('no_such_test_anywhere')).toBe(false);

    const report = judgedReport(
      [
        boot('staff', 1, ['alloc_distinct:pass', 'quiet:pass:one']),
        boot('candidate', 1, ['alloc_distinct:fail', 'quiet:pass:two']),
      ],
      ['staff'],
    );
    const annotations = annotationsFor(report, located, 'diverge.yml');
    expect(annotations.map((a) => [a.title, a.path, a.annotation_level])).toEqual([
      ['regression: alloc_distinct', 'fixtures/course/harness/harness.c', 'failure'],
      ['output: quiet', 'diverge.yml', 'warning'],
    ]);
    expect(annotations[0]?.start_line).toBe(located.get('alloc_distinct')?.line);
  });

  it('are capped', () => {
    const tests = Array.from({ length: MAX_ANNOTATIONS + 20 }, (_, i) => `t${i}`);
    const report = judgedReport(
      [
        boot(
          'staff',
          1,
          tests.map((t) => `${t}:pass`),
        ),
        boot(
          'candidate',
          1,
          tests.map((t) => `${t}:fail`),
        ),
      ],
      ['staff'],
    );
    expect(annotationsFor(report, new Map(), 'diverge.yml')).toHaveLength(MAX_ANNOTATIONS);
  });
});
