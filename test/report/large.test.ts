import { describe, expect, it } from '@jest/globals';
import { judge } from '../../src/compare/judge.js';
import { defaultSettings } from '../../src/config/load.js';
import { buildReport } from '../../src/report/build.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { validateReport } from '../../src/report/validate.js';
import { boot } from '../helpers/observations.js';

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
    const settings = defaultSettings('/tmp');
    const judgement = judge({
      observations,
      candidate: 'candidate',
      references: ['staff'],
      normalize: settings.normalize,
      compareOutput: true,
      expectations: [],
      failOn: settings.failOn,
      scope: { arch: 'x86_64', variant: 'default', today: '2026-11-22' },
    });
    const report = buildReport({
      settings,
      variant: 'default',
      startedAt: new Date('2026-11-22T10:00:00Z'),
      durationMs: 1234,
      host: { qemu: '7.2.22', accel: 'tcg', cpus: 2 },
      harnessDigest: `sha256:${'a'.repeat(64)}`,
      candidate: { name: 'candidate', source: { file: 'k' }, digest: `sha256:${'b'.repeat(64)}` },
      references: [{ name: 'staff', source: { file: 's' }, digest: `sha256:${'c'.repeat(64)}` }],
      observations,
      judgement,
      expectations: { entries: [] },
      today: '2026-11-22',
      outDir: '/tmp/out',
    });
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
