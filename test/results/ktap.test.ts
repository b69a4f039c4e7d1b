import { describe, expect, it } from '@jest/globals';
import { parseKtap } from '../../src/results/ktap.js';
import type { TestObservation, TestStatus } from '../../src/model/results.js';

const split = (text: string) => text.split('\n');
const t = (id: string, status: TestStatus, output: string[] = [], directive?: string) =>
  ({ id, status, output, directive }) as TestObservation;

// A kunit run (6.x layout) as it comes off a serial console, kernel messages interleaved.
const KUNIT_BOOT =
  split(`[    0.000000] Linux version 6.6.0 (builder@ci) (gcc 13.2.0) #1 SMP PREEMPT_DYNAMIC
[    0.412345] random: crng init done
[    0.500001] KTAP version 1
[    0.500002] 1..2
[    0.500100]     KTAP version 1
[    0.500101]     # Subtest: example
[    0.500102]     # module: kunit_example_test
[    0.500103]     1..4
[    0.500200]     # example_simple_test: initializing
[    0.500201]     ok 1 example_simple_test
[    0.500300]     # example_skip_test: initializing
[    0.500301]     ok 2 example_skip_test # SKIP this test should be skipped
[    0.500400]     # example_failing_test: EXPECTATION FAILED at lib/kunit/kunit-example-test.c:92
[    0.500401]     Expected 1 + 1 == 3, but
[    0.500402]         1 + 1 == 2 (0x2)
[    0.500403]         3 == 3 (0x3)
[    0.500404] clocksource: Switched to clocksource tsc
[    0.500405]     not ok 3 example_failing_test
[    0.500500]         KTAP version 1
[    0.500501]         # Subtest: example_params_test
[    0.500502]         ok 1 example value 3
[    0.500503] ACPI: \\_SB_.PCI0: _OSC: OS supports [ASPM ClockPM Segments MSI HPX-Type3]
[    0.500504]         ok 2 example value 2 # SKIP unsupported
[    0.500505]     # example_params_test: pass:1 fail:0 skip:1 total:2
[    0.500506]     ok 4 example_params_test
[    0.500600]     # example: pass:2 fail:1 skip:1 total:4
[    0.500601]     # Totals: pass:3 fail:1 skip:2 total:6
[    0.500602] not ok 1 example
[    0.500700]     KTAP version 1
[    0.500701]     # Subtest: list-kunit-test
[    0.500702]     1..2
[    0.500703]     ok 1 list_test_list_init
[    0.500704]     ok 2 list_test_list_add
[    0.500705] ok 2 list-kunit-test
[    0.500800] # Totals: pass:5 fail:1 skip:2 total:8
[    0.600000] Freeing unused kernel image (initmem) memory: 2048K`);

describe('parseKtap', () => {
  it('reads a nested kunit run with timestamps and interleaved kernel messages', () => {
    expect(parseKtap(KUNIT_BOOT)).toEqual({
      tests: [
        t('example.example_simple_test', 'pass', [
          'module: kunit_example_test',
          'example_simple_test: initializing',
        ]),
        t(
          'example.example_skip_test',
          'skip',
          ['example_skip_test: initializing'],
          'SKIP this test should be skipped',
        ),
        t('example.example_failing_test', 'fail', [
          'example_failing_test: EXPECTATION FAILED at lib/kunit/kunit-example-test.c:92',
          'Expected 1 + 1 == 3, but',
          '    1 + 1 == 2 (0x2)',
          '    3 == 3 (0x3)',
        ]),
        t('example.example_params_test.example value 3', 'pass'),
        t('example.example_params_test.example value 2', 'skip', [], 'SKIP unsupported'),
        t('list-kunit-test.list_test_list_init', 'pass'),
        t('list-kunit-test.list_test_list_add', 'pass'),
      ],
      complete: true,
      problems: [],
    });
  });

  it('reads the older kunit TAP 14 dialect: tabs, " - " and headers without version lines', () => {
    const result = parseKtap(
      split(`TAP version 14
1..2
\t# Subtest: sysctl_test
\t1..2
\tok 1 - sysctl_test_dointvec_null_tbl_data
\tok 2 - sysctl_test_dointvec_table_maxlen_unset
kunit sysctl_test: all tests passed
ok 1 - sysctl_test
\t# Subtest: example
\t1..1
init_suite
\t# example_simple_test: initializing
\t# example_simple_test: EXPECTATION FAILED at lib/kunit/example-test.c:30
\tExpected 1 + 1 == 3, but
\t\t1 + 1 == 2
\tnot ok 1 - example_simple_test
kunit example: one or more tests failed
not ok 2 - example`),
    );
    expect(result).toEqual({
      tests: [
        t('sysctl_test.sysctl_test_dointvec_null_tbl_data', 'pass'),
        t('sysctl_test.sysctl_test_dointvec_table_maxlen_unset', 'pass'),
        t('example.example_simple_test', 'fail', [
          'example_simple_test: initializing',
          'example_simple_test: EXPECTATION FAILED at lib/kunit/example-test.c:30',
          'Expected 1 + 1 == 3, but',
          '    1 + 1 == 2',
        ]),
      ],
      complete: true,
      problems: [],
    });
  });

  it('nests arbitrarily deep, whatever the indentation width', () => {
    const result = parseKtap(
      split(`KTAP version 1
1..1
  KTAP version 1
  # Subtest: a
  1..1
    KTAP version 1
    1..2
      # Subtest: c
      1..1
      ok 1 d
    ok 1 c
    ok 2 leaf
  ok 1 b
ok 1 a`),
    );
    expect(result.tests.map((test) => test.id)).toEqual(['a.b.c.d', 'a.b.leaf']);
    expect(result.complete).toBe(true);
  });

  it('reads kselftest output, whose nested TAP is commented out', () => {
    const result = parseKtap(
      split(`TAP version 13
1..2
# timeout set to 45
# selftests: membarrier: membarrier_test_single_thread
# TAP version 13
# 1..2
# ok 1 sys_membarrier available
# ok 2 sys membarrier invalid command test
ok 1 selftests: membarrier: membarrier_test_single_thread
# selftests: breakpoints: step_after_suspend_test
# Bail out! Failed to enable suspend: needs root
ok 2 selftests: breakpoints: step_after_suspend_test # SKIP`),
    );
    expect(result).toEqual({
      tests: [
        t('selftests: membarrier: membarrier_test_single_thread', 'pass', [
          'timeout set to 45',
          'selftests: membarrier: membarrier_test_single_thread',
          'TAP version 13',
          '1..2',
          'ok 1 sys_membarrier available',
          'ok 2 sys membarrier invalid command test',
        ]),
        t(
          'selftests: breakpoints: step_after_suspend_test',
          'skip',
          [
            'selftests: breakpoints: step_after_suspend_test',
            'Bail out! Failed to enable suspend: needs root',
          ],
          'SKIP',
        ),
      ],
      complete: true,
      problems: [],
    });
  });

  it('maps directives and names empty descriptions by number', () => {
    const result = parseKtap(
      split(`KTAP version 1
1..9
ok 1 - plain
not ok 2 todo_case # TODO not implemented yet
ok 3 xfail_case # XFAIL known broken
not ok 4 slow_case # TIMEOUT 45 seconds
not ok 5 broken_case # ERROR setup failed
not ok 6 skipped_case # SKIP no device
ok 7
ok 8 - # skip whole thing
ok 9 timed \\# case # time=3ms`),
    );
    expect(result.tests).toEqual([
      t('plain', 'pass'),
      t('todo_case', 'fail', [], 'TODO not implemented yet'),
      t('xfail_case', 'pass', [], 'XFAIL known broken'),
      t('slow_case', 'fail', [], 'TIMEOUT 45 seconds'),
      t('broken_case', 'error', [], 'ERROR setup failed'),
      t('skipped_case', 'skip', [], 'SKIP no device'),
      t('#7', 'pass'),
      t('#8', 'skip', [], 'skip whole thing'),
      t('timed # case', 'pass'),
    ]);
    expect(result.complete).toBe(true);
  });

  it('accepts printk log levels and caller ids before the timestamp', () => {
    const result = parseKtap([
      '<6>[    1.000000] KTAP version 1',
      '<6>[    1.000001] 1..2',
      '[    1.000002][    T1] ok 1 first',
      '<4>[    1.000003][  C0]     # not indented by the timestamp',
      '<6>ok 2 second',
    ]);
    expect(result.tests).toEqual([
      t('first', 'pass'),
      t('second', 'pass', ['not indented by the timestamp']),
    ]);
    expect(result.complete).toBe(true);
  });

  it('fills a flat truncated stream with missing tests', () => {
    const lines = ['KTAP version 1', '1..12'];
    for (let n = 1; n <= 7; n++) lines.push(`ok ${n} case_${n}`);
    lines.push('# case_8: started', '[   12.000000] Kernel panic - not syncing: Fatal exception');
    const result = parseKtap(lines);
    expect(result.tests.map((test) => [test.id, test.status])).toEqual([
      ['case_1', 'pass'],
      ['case_2', 'pass'],
      ['case_3', 'pass'],
      ['case_4', 'pass'],
      ['case_5', 'pass'],
      ['case_6', 'pass'],
      ['case_7', 'pass'],
      ['#8', 'missing'],
      ['#9', 'missing'],
      ['#10', 'missing'],
      ['#11', 'missing'],
      ['#12', 'missing'],
    ]);
    expect(result.tests[7]?.output).toEqual([]);
    expect(result.complete).toBe(false);
    expect(result.problems).toEqual(['plan 1..12 but only 7 results seen']);
  });

  it('fills a suite cut off mid-way, and its parent', () => {
    const result = parseKtap(
      split(`[    0.060000] KTAP version 1
[    0.060000] 1..3
[    0.060000]     KTAP version 1
[    0.060000]     # Subtest: alpha
[    0.060000]     1..2
[    0.060000]     ok 1 a1
[    0.060000]     ok 2 a2
[    0.060000] ok 1 alpha
[    0.060000]     KTAP version 1
[    0.060000]     # Subtest: beta
[    0.060000]     1..4
[    0.060000]     ok 1 b1
[    0.060000]     # b2: starting
[    0.070000] BUG: kernel NULL pointer dereference, address: 0000000000000000
[    0.070000] #PF: supervisor read access in kernel mode`),
    );
    expect(result.tests).toEqual([
      t('alpha.a1', 'pass'),
      t('alpha.a2', 'pass'),
      t('beta.b1', 'pass'),
      t('beta.#2', 'missing'),
      t('beta.#3', 'missing'),
      t('beta.#4', 'missing'),
      t('#3', 'missing'),
    ]);
    expect(result.complete).toBe(false);
    expect(result.problems).toEqual([
      'beta: no result line for this subtest',
      'beta: plan 1..4 but only 1 result seen',
      'plan 1..3 but only 2 results seen',
    ]);
  });

  it('reports a suite cut off before any of its results as missing', () => {
    const result = parseKtap(
      split(`KTAP version 1
1..1
    KTAP version 1
    # Subtest: gamma`),
    );
    expect(result.tests).toEqual([t('gamma', 'missing')]);
    expect(result.complete).toBe(false);
  });

  it('keeps extra results but says the plan was not met', () => {
    const result = parseKtap(split('KTAP version 1\n1..2\nok 1 a\nok 2 b\nnot ok 3 c'));
    expect(result.tests.map((test) => test.id)).toEqual(['a', 'b', 'c']);
    expect(result.complete).toBe(false);
    expect(result.problems).toEqual(['plan 1..2 but 3 results seen']);
  });

  it('accepts results out of order and says so', () => {
    const result = parseKtap(split('KTAP version 1\n1..3\nok 1 a\nok 3 c\nnot ok 2 b'));
    expect(result.tests).toEqual([t('a', 'pass'), t('c', 'pass'), t('b', 'fail')]);
    expect(result.complete).toBe(true);
    expect(result.problems).toEqual([
      'test 3 out of order (expected 2)',
      'test 2 out of order (expected 4)',
    ]);
  });

  it('accepts results before any version line and says so', () => {
    const result = parseKtap(['1..1', 'ok 1 early']);
    expect(result.tests).toEqual([t('early', 'pass')]);
    expect(result.problems).toEqual(['result line before any KTAP version line']);
  });

  it('is incomplete without a top-level plan', () => {
    const result = parseKtap(['KTAP version 1', 'ok 1 a']);
    expect(result.tests).toEqual([t('a', 'pass')]);
    expect(result.complete).toBe(false);
    expect(result.problems).toEqual(['no plan line seen']);
  });

  it('renames duplicate ids', () => {
    const result = parseKtap(
      split(`KTAP version 1
1..3
    # Subtest: suite
    1..2
    ok 1 case
    ok 2 case
ok 1 suite
ok 2 suite.case
ok 3 x`),
    );
    expect(result.tests.map((test) => test.id)).toEqual([
      'suite.case',
      'suite.case~2',
      'suite.case~3',
      'x',
    ]);
    expect(result.problems).toEqual([
      'duplicate test id "suite.case" renamed to "suite.case~2"',
      'duplicate test id "suite.case" renamed to "suite.case~3"',
    ]);
  });

  it('reports a suite with no subtests as a leaf', () => {
    const result = parseKtap(
      split(`KTAP version 1
1..1
    KTAP version 1
    # Subtest: empty
    1..0
ok 1 empty # SKIP no tests on this architecture`),
    );
    expect(result.tests).toEqual([t('empty', 'skip', [], 'SKIP no tests on this architecture')]);
    expect(result.complete).toBe(true);
  });

  it('says when a suite failed although all its tests passed', () => {
    const result = parseKtap(
      split('KTAP version 1\n1..1\n    1..1\n    ok 1 case\nnot ok 1 suite'),
    );
    expect(result.tests).toEqual([t('suite.case', 'pass')]);
    expect(result.problems).toEqual(['suite: reported fail although none of its tests did']);
  });

  it('reads a second document, as when kselftest runs after kunit', () => {
    const result = parseKtap(
      split(`KTAP version 1
1..1
ok 1 kunit_suite
[    5.000000] Run /init as init process
TAP version 13
1..1
ok 1 selftests: x`),
    );
    expect(result.tests.map((test) => test.id)).toEqual(['kunit_suite', 'selftests: x']);
    expect(result.complete).toBe(true);
    expect(result.problems).toEqual([]);
  });

  it('ignores garbage lines', () => {
    const result = parseKtap([
      'KTAP version 1',
      '\uFFFD\uFFFD\uFFFDok 1 broken',
      'ok',
      'not ok -1',
      'okay 1 fine',
      '1..',
      '1..abc',
      'x'.repeat(100_000),
      `[${' '.repeat(100_000)}`,
      `not ${' '.repeat(100_000)}okx`,
      '1..2',
      'ok 1 first',
      '\u0000\u0001\uFFFD',
      'ok 2 second',
    ]);
    expect(result).toEqual({
      tests: [t('first', 'pass'), t('second', 'pass')],
      complete: true,
      problems: [],
    });
  });

  it('ignores an implausibly large plan instead of inventing its tests', () => {
    const result = parseKtap(['KTAP version 1', '1..123456789', 'ok 1 a']);
    expect(result.tests).toEqual([t('a', 'pass')]);
    expect(result.complete).toBe(false);
    expect(result.problems).toEqual(['implausible plan 1..123456789 ignored', 'no plan line seen']);
  });

  it('finds nothing in empty input or a boot without KTAP', () => {
    const none = {
      tests: [],
      complete: false,
      problems: ['no KTAP/TAP version line or results found'],
    };
    expect(parseKtap([])).toEqual(none);
    expect(parseKtap(KUNIT_BOOT.slice(0, 2))).toEqual(none);
  });
});
