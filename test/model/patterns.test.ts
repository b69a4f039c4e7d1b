/**
 * One anchoring rule for every pattern matched against console text (model/patterns.ts): `^` and
 * `$` match at line starts and ends, for a console step's `expect`, `end`, `pass` and `fail` and
 * for the regex results' `pass`, `fail`, `skip`, `error` and `start` alike.
 */
import { describe, expect, it } from '@jest/globals';
import { consolePattern } from '../../src/model/patterns.js';
import { ConsoleScript } from '../../src/qemu/script.js';
import { parseRegex } from '../../src/results/regex.js';
import { parseConfig } from '../../src/config/load.js';

// Pintos' line before each test's output, the pattern of issue 23 that never matched as an expect.
const EXECUTING = "^Executing '[^']+':$";
const CONSOLE = "Boot complete.\nExecuting 'alarm-single':\n(alarm-single) begin\n";

describe('the console pattern rule', () => {
  it('compiles every console pattern with the m flag', () => {
    expect(consolePattern('^a$').flags).toBe('m');
    expect(consolePattern('^a$', 'g').flags).toBe('gm');
    expect(consolePattern('^b$').test('a\nb\nc')).toBe(true);
  });

  it('anchors an expect at a line in the middle of the console text', () => {
    const script = new ConsoleScript([
      { expect: EXECUTING, test: 'alarm-single', end: '^Execution of .* complete\\.$' },
    ]);
    expect(script.feed(CONSOLE, 1)).toEqual([]);
    expect(script.started).toBe(true);
    expect(script.feed("(alarm-single) end\nExecution of 'alarm-single' complete.\n", 2)).toEqual([
      { kind: 'finished' },
    ]);
    expect(script.finish(true)).toEqual([
      {
        id: 'alarm-single',
        status: 'pass',
        output: ['(alarm-single) begin', '(alarm-single) end'],
      },
    ]);
  });

  it('holds a prompt at the start of a line to line starts, also after the last match', () => {
    const steps = [
      { expect: '^\\$ ', send: '$ x\n', test: 'dollar' },
      { expect: '^\\$ ', send: 'true\n', test: 'true' },
    ];
    const script = new ConsoleScript(steps);
    // `$ ` in the middle of a line is no prompt; the one at the line start is.
    expect(script.feed('cost: 5 $ each\n', 1)).toEqual([]);
    expect(script.feed('$ ', 2)).toEqual([{ kind: 'send', text: '$ x\n' }]);
    // The echo of `$ x` follows the prompt on its line: its `$ ` is not the next prompt.
    expect(script.feed('$ x\nexec $ failed\n', 3)).toEqual([]);
    expect(script.feed('$ ', 4)).toEqual([{ kind: 'send', text: 'true\n' }]);
    expect(script.feed('true\n$ ', 5)).toEqual([{ kind: 'finished' }]);
    expect(script.finish(true).map((t) => [t.id, t.output])).toEqual([
      ['dollar', ['exec $ failed']],
      ['true', []],
    ]);
  });

  it('matches a prompt that ends no line with $ at the end of the text so far', () => {
    const script = new ConsoleScript([{ expect: '^\\$ $', send: 'ls\n' }, { expect: '^\\$ $' }]);
    expect(script.feed('init: starting sh\n$ ', 1)).toEqual([{ kind: 'send', text: 'ls\n' }]);
    expect(script.feed('ls\nREADME $ 1\n$ ', 2)).toEqual([{ kind: 'finished' }]);
  });

  it("anchors a step's pass and fail at the lines of its output", () => {
    const script = new ConsoleScript([
      { expect: '\\$ ', send: 'a\n', test: 'a', pass: '^OK$' },
      { expect: '\\$ ', send: 'b\n', test: 'b', pass: '^OK$' },
      { expect: '\\$ ', send: 'c\n', test: 'c', pass: '^OK$', fail: '^FAILED' },
    ]);
    script.feed('$ a\nfirst\nOK\nlast\n$ b\nnot OK\n$ c\nOK\nstill FAILED\n$ ', 1);
    expect(script.finish(true).map((t) => [t.id, t.status])).toEqual([
      ['a', 'pass'],
      ['b', 'fail'],
      ['c', 'pass'],
    ]);
  });

  it('anchors the regex results and their start at each line', () => {
    const { tests } = parseRegex(
      [...CONSOLE.trimEnd().split('\n'), "Execution of 'alarm-single' complete."],
      {
        start: EXECUTING,
        pass: "^Execution of '(?<id>[^']+)' complete\\.$",
        fail: '^FAIL (\\S+)$',
      },
    );
    expect(tests).toEqual([
      { id: 'alarm-single', status: 'pass', output: ['(alarm-single) begin'] },
    ]);
  });

  it('validates config patterns under the same rule', () => {
    const config = parseConfig(
      [
        'harness:',
        '  script:',
        `    - { expect: "${EXECUTING}", test: t, pass: '^ok$' }`,
        '  results: { format: regex, regex: { pass: "^ok (?<id>\\\\S+)$", fail: "^no (?<id>\\\\S+)$" } }',
      ].join('\n'),
      '/c/diverge.yml',
    );
    expect(config.harness.script[0]?.expect).toBe(EXECUTING);
    expect(() =>
      parseConfig("harness:\n  script:\n    - { expect: '^(unclosed' }\n", '/c/diverge.yml'),
    ).toThrow(/harness\.script\[0\]\.expect: expected a regular expression/);
  });
});
