import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseKtap } from '../../src/results/ktap.js';
import { parseTap } from '../../src/results/tap.js';
import type { ParseResult } from '../../src/model/results.js';

const name = fc.constantFrom('a', 'b', 'a.b', '#1', 'a~2', '', 'x # SKIP', 'y \\# z');
const number = fc.oneof(fc.nat(6), fc.constantFrom(-1, 5000, 10 ** 21));
/** Lines that are mostly (K)TAP, so the tree builder is exercised and not just the tokeniser. */
const tapLine = fc
  .tuple(
    fc.constantFrom('', '', '    ', '        ', '\t', '  ', '[    1.000000] ', '<6>'),
    fc.oneof(
      fc.constantFrom('KTAP version 1', 'TAP version 14', 'TAP version 13', '---', '...'),
      fc.constantFrom('Bail out!', '# diag', 'ok', '1..', '1..abc', 'not ok -1', 'noise'),
      number.map((n) => `1..${n}`),
      fc.tuple(fc.constantFrom('ok', 'not ok'), number, name).map((p) => p.join(' ')),
      fc.tuple(fc.constantFrom('ok', 'not ok'), name).map((p) => `${p[0]} - ${p[1]}`),
      name.map((n) => `# Subtest: ${n}`),
      fc.string({ unit: 'binary', maxLength: 40 }),
    ),
  )
  .map(([prefix, body]) => prefix + body);

function checkInvariants(result: ParseResult): void {
  const ids = result.tests.map((test) => test.id);
  expect(new Set(ids).size).toBe(ids.length);
  if (result.complete) expect(result.tests.every((test) => test.status !== 'missing')).toBe(true);
}

describe.each([
  ['parseKtap', parseKtap],
  ['parseTap', parseTap],
])('%s', (_, parse) => {
  it('never throws and never returns duplicate ids on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { maxLength: 30 }), (lines) => {
        checkInvariants(parse(lines));
      }),
      { numRuns: 300 },
    );
  });

  it('never throws and never returns duplicate ids on TAP-like garbage', () => {
    fc.assert(
      fc.property(fc.array(tapLine, { maxLength: 60 }), (lines) => {
        checkInvariants(parse(lines));
      }),
      { numRuns: 2000 },
    );
  });
});
