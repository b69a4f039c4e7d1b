import { describe, expect, it } from '@jest/globals';
import { changesSince, commentBody, readState, stateOf } from '../../src/github/comment.js';
import { boot, judgedReport } from '../helpers/observations.js';

const report = judgedReport(
  [
    boot('staff', 1, ['a:pass', 'b:pass', 'c:pass']),
    boot('candidate', 1, ['a:pass', 'b:fail', 'c:pass:other']),
  ],
  ['staff'],
);

describe('the sticky comment', () => {
  it('remembers the divergences it showed, in a hidden line', () => {
    const body = commentBody('diverge (staff)', '### report', stateOf([{ report }]), undefined);
    expect(body.startsWith('<!-- diverge:comment diverge%20(staff) -->\n')).toBe(true);
    expect(readState(body)).toEqual({ b: 'regression', c: 'output' });
    expect(body).not.toContain('Since the previous push');
  });

  it('says what changed since the previous push', () => {
    expect(
      changesSince(
        { b: 'regression', gone: 'crash', c: 'flaky' },
        { b: 'regression', c: 'output', n: 'new' },
      ),
    ).toEqual([
      '- **new:** `n` (new)',
      '- **resolved:** `gone`',
      '- **changed:** `c` (flaky → output)',
    ]);
    const body = commentBody('diverge', '### report', stateOf([{ report }]), {
      b: 'regression',
      c: 'output',
    });
    expect(body).toContain('**Since the previous push:** no change in the divergences.');
  });

  it('keys the state by test id, prefixed by the variant when the comment shows several legs', () => {
    const clean = judgedReport(
      [boot('staff', 1, ['a:pass', 'b:pass']), boot('candidate', 1, ['a:pass', 'b:pass'])],
      ['staff'],
    );
    expect(
      stateOf([
        { variant: 'staff-alt', report },
        { variant: 'clean', report: clean },
      ]),
    ).toEqual({ 'staff-alt: b': 'regression', 'staff-alt: c': 'output' });
  });

  it('ignores a state line that is not what diverge wrote', () => {
    expect(readState('<!-- diverge:state bm90IGpzb24= -->')).toBeUndefined();
    expect(readState('<!-- diverge:state WzEsMl0= -->')).toBeUndefined(); // [1,2]
    expect(readState('no state here')).toBeUndefined();
  });

  it('shows test ids as code spans, where mentions and HTML are inert', () => {
    const [line] = changesSince({}, { '`@team <b>': 'regression' });
    expect(line).toBe('- **new:** `` `@team <b> `` (regression)');
  });
});
