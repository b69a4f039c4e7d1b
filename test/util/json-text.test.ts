/** report.json and boots.json in pieces: the text JSON.stringify(value, null, 2) gives, never one string. */
import { describe, expect, it } from '@jest/globals';
import { prettyJson } from '../../src/util/json-text.js';
import { sampleReport } from '../report/sample.js';

const expected = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

describe('prettyJson', () => {
  it("is JSON.stringify's text, whatever the nesting, the gaps and the odd values", () => {
    const deep = { a: { b: { c: { d: { e: { f: [1, [2, [3, { g: 'x\ny "z"' }]]] } } } } } };
    const values: unknown[] = [
      deep,
      [],
      {},
      { empty: [], none: {}, list: [[], {}, [[]]] },
      { kept: 1, gone: undefined, fn: () => 1, sym: Symbol('s'), nil: null },
      [undefined, () => 1, null, 'a', 0, false],
      { when: new Date(0), nested: [{ when: new Date(1) }] },
      { 'key "quoted"\n': { 'ü ✓': ['\u2028', '\u0000'] } },
      sampleReport(),
      'just a string',
      42,
      null,
    ];
    for (const value of values) expect([...prettyJson(value)].join('')).toBe(expected(value));
  });

  it('hands over pieces of about a mebibyte, so no string holds the whole run', () => {
    const run = {
      observations: Array.from({ length: 4 }, (_, k) => ({
        kernel: `k${k}`,
        tests: Array.from({ length: 20_000 }, (_, i) => ({
          id: `suite${i % 50}.case${i}`,
          status: i % 7 ? 'pass' : 'fail',
          output: [`case ${i}: got ${i}`],
        })),
      })),
    };
    const pieces = [...prettyJson(run)];
    expect(pieces.join('')).toBe(expected(run));
    const text = expected(run).length;
    expect(pieces.length).toBeGreaterThanOrEqual(Math.floor(text / 2 ** 20));
    for (const piece of pieces) expect(piece.length).toBeLessThan(2 ** 20 + 4096);
  });
});
