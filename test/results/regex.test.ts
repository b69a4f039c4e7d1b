import { describe, expect, it } from '@jest/globals';
import { compileRegexSpec, parseRegex } from '../../src/results/regex.js';

const SPEC = {
  pass: '^PASS: (?<id>\\S+)',
  fail: '^FAIL: (?<id>\\S+)',
  skip: '^SKIP: (\\S+)',
};

describe('parseRegex', () => {
  it("reads result lines; without a start pattern a test's output is its result line alone", () => {
    const result = parseRegex(
      [
        '[    2.000000] Run /init as init process',
        'running open_test',
        'PASS: open_test',
        '[    2.100000] mmap_test: got 0, want 1',
        'FAIL: mmap_test',
        'SKIP: numa_test (one node)',
        'all done',
      ],
      SPEC,
    );
    expect(result).toEqual({
      tests: [
        { id: 'open_test', status: 'pass', output: [] },
        { id: 'mmap_test', status: 'fail', output: [] },
        { id: 'numa_test', status: 'skip', output: [] },
      ],
      complete: true,
      problems: [],
    });
  });

  it("keeps a test's own span as its output: from its start line to its result line", () => {
    const result = parseRegex(
      [
        'Pintos booting with 4,096 kB RAM...',
        "Executing 'alarm-single':",
        '(alarm-single) begin',
        '(alarm-single) end',
        'PASS: alarm-single',
        'between tests',
        "Executing 'alarm-zero':",
        '[    2.100000] (alarm-zero) oops',
        'FAIL: alarm-zero',
        'FAIL: no-start',
      ],
      { ...SPEC, start: "^Executing '" },
    );
    expect(result.tests).toEqual([
      {
        id: 'alarm-single',
        status: 'pass',
        output: ['(alarm-single) begin', '(alarm-single) end'],
      },
      { id: 'alarm-zero', status: 'fail', output: ['(alarm-zero) oops'] },
      { id: 'no-start', status: 'fail', output: [] },
    ]);
  });

  it('reads a line two patterns match as the more severe result', () => {
    const result = parseRegex(['ok a', 'not ok b'], { pass: 'ok (\\w+)', fail: 'not ok (\\w+)' });
    expect(result.tests.map((test) => [test.id, test.status])).toEqual([
      ['a', 'pass'],
      ['b', 'fail'],
    ]);
  });

  it('renames duplicates and numbers results without an id', () => {
    const spec = compileRegexSpec({
      pass: '^ok(?<id> \\S+)?$',
      fail: '^bad (\\S+)$',
      error: '^oops (\\S+)',
    });
    const result = parseRegex(['ok x', 'bad x', 'ok', 'oops y'], spec);
    expect(result.tests.map((test) => [test.id, test.status])).toEqual([
      ['x', 'pass'],
      ['x~2', 'fail'],
      ['#3', 'pass'],
      ['y', 'error'],
    ]);
    expect(result.problems).toEqual(['duplicate test id "x" renamed to "x~2"']);
  });

  it('is incomplete when no line matched', () => {
    expect(parseRegex(['nothing here'], SPEC)).toEqual({
      tests: [],
      complete: false,
      problems: ['no line matched a result pattern'],
    });
  });

  it('rejects a pattern without a capture group, or that does not compile, by name', () => {
    expect(() => compileRegexSpec({ pass: '^PASS', fail: '^FAIL: (\\S+)' })).toThrow(
      new TypeError('pass pattern /^PASS/ has no (?<id>…) or other capture group'),
    );
    expect(() => compileRegexSpec({ pass: '^PASS (\\S+)', fail: '^FAIL: ((' })).toThrow(TypeError);
    expect(() => compileRegexSpec({ pass: '^PASS (\\S+)', fail: '^FAIL: ((' })).toThrow(
      /fail pattern \/\^FAIL: \(\(\/ is invalid/,
    );
    expect(() => compileRegexSpec({ pass: '(?:x)', fail: '(y)' })).toThrow(/pass pattern/);
  });
});
