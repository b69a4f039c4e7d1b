import { describe, expect, it } from '@jest/globals';
import { renderMarkdown } from '../../src/render/markdown.js';
import { validateReport } from '../../src/report/validate.js';
import { boot, judgedReport } from '../helpers/observations.js';

describe('a 10,000-test report', () => {
  it('is valid against the schema and its Markdown stays within the budget', () => {
    const tests = (kernel: string) =>
      Array.from({ length: 10_000 }, (_, i) => {
        const broken = kernel === 'candidate' && i % 500 === 0;
        return `suite${i % 20}.case${i}:${broken ? 'fail' : 'pass'}:value ${broken ? i + 1 : i}`;
      });
    const observations = [
      boot('staff', 1, tests('staff')),
      boot('candidate', 1, tests('candidate')),
    ];
    const report = judgedReport(observations, ['staff']);
    expect(() => validateReport(report)).not.toThrow();
    expect(report.summary).toMatchObject({
      tests: 10_000,
      same: 9_980,
      divergences: 20,
      failing: 20,
      conclusion: 'failure',
    });
    expect(report.boots.map((b) => b.log)).toEqual(['logs/staff-1.log', 'logs/candidate-1.log']);
    const markdown = renderMarkdown(report, { budgetBytes: 20_000 });
    expect(Buffer.byteLength(markdown)).toBeLessThanOrEqual(20_000);
  });

  it('a tampered report is rejected with the field at fault', () => {
    expect(() => validateReport({ schema: 'diverge.report/v1' }, 'old/report.json')).toThrow(
      "old/report.json: / must have required property 'run'",
    );
  });
});
