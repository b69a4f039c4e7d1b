import { describe, expect, it } from '@jest/globals';
import { parseConfig } from '../../src/config/load.js';
import { courseFiles } from '../../src/grade/course-files.js';
import { gradescopeResults } from '../../src/grade/formats.js';
import { scoreReport } from '../../src/grade/rubric.js';
import { renderJunit } from '../../src/render/junit.js';
import { sampleReport } from '../report/sample.js';

const { grading } = parseConfig('grading:\n  default-points: 2\n', '/course/diverge.yml');

describe('the course files of a run', () => {
  const report = sampleReport();

  it('are the ones asked for, JUnit first, Gradescope scored by the rubric', () => {
    const files = courseFiles(report, grading, { gradescope: 'out/results.json', junit: 'j.xml' });
    expect(files.map((f) => f.file)).toEqual(['j.xml', 'out/results.json']);
    expect(files[0]?.content).toBe(renderJunit(report));
    const results = JSON.parse(files[1]?.content ?? '') as unknown;
    expect(results).toEqual(gradescopeResults(report, scoreReport(report, grading)));
    expect(files[1]?.content.endsWith('}\n')).toBe(true);
  });

  it('are none when none is asked for', () => {
    expect(courseFiles(report, grading, {})).toEqual([]);
    expect(courseFiles(report, grading, { junit: 'j.xml' }).map((f) => f.file)).toEqual(['j.xml']);
  });
});
