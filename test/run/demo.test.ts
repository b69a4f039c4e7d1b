import { describe, expect, it } from '@jest/globals';
import { unintended } from '../../src/run/fixtures.js';
import { renderMatrixMarkdown, renderMatrixText } from '../../src/render/matrix.js';
import { boot, judgedReport } from '../helpers/observations.js';

const report = judgedReport(
  [
    boot('staff', 1, ['a:pass', 'b:pass', 'c:pass']),
    boot('candidate', 1, ['a:pass', 'b:fail', 'z:pass']),
  ],
  ['staff'],
);

describe('unintended: a demo variant against its ground truth', () => {
  it('is empty when every listed test has its class and every other test is same', () => {
    expect(unintended(report, { regression: ['b'], missing: ['c'], new: ['z'] })).toEqual([]);
  });

  it('names each test that came out otherwise, or did not come out at all', () => {
    expect(unintended(report, { regression: ['b'], new: ['z', 'gone'] })).toEqual([
      'c: got missing, meant same',
      'gone: not in the report, meant new',
    ]);
  });
});

describe('the variant × class matrix', () => {
  const quiet = judgedReport(
    [boot('staff', 1, ['a:pass']), boot('candidate', 1, ['a:pass'])],
    ['staff'],
  );
  const rows = [
    { variant: 'staff-alt', report: quiet, note: 'yes' },
    { variant: 'wrong|result', report, note: 'NO' },
  ];

  it('has a column for same and for each class some row has, counts aligned', () => {
    expect(renderMatrixText(rows, 'as intended')).toBe(
      [
        'variant       regression  missing  new  same  conclusion  as intended',
        'staff-alt              ·        ·    ·     1  success     yes',
        'wrong|result           1        1    1     1  failure     NO',
        '',
      ].join('\n'),
    );
  });

  it('escapes variant names in Markdown so a row cannot break the table', () => {
    const markdown = renderMatrixMarkdown(rows);
    expect(markdown.split('\n')[0]).toBe(
      '| variant | `regression` | `missing` | `new` | `same` | conclusion |',
    );
    expect(markdown).toContain('| wrong\\|result | 1 | 1 | 1 | 1 | failure |');
  });
});
