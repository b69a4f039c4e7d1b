import { describe, expect, it } from '@jest/globals';
import { parseTap } from '../../src/results/tap.js';
import type { TestObservation, TestStatus } from '../../src/model/results.js';

const split = (text: string) => text.split('\n');
const t = (id: string, status: TestStatus, output: string[] = [], directive?: string) =>
  ({ id, status, output, directive }) as TestObservation;

describe('parseTap', () => {
  it('keeps YAML blocks with the preceding test and comments with the following one', () => {
    const result = parseTap(
      split(`TAP version 13
1..4
# starting the network tests
ok 1 - bind to loopback
not ok 2 - connect to remote
  ---
  message: 'connection refused'
  severity: fail
  data:
    got: ECONNREFUSED

    expect: 0
  ...
[    3.141592] e1000e: eth0 NIC Link is Up 1000 Mbps Full Duplex
# resolver check
ok 3 - resolve localhost # SKIP no resolver in initramfs
not ok 4 - ipv6 route # TODO kernel lacks ipv6`),
    );
    expect(result).toEqual({
      tests: [
        t('bind to loopback', 'pass', ['starting the network tests']),
        t('connect to remote', 'fail', [
          '---',
          "message: 'connection refused'",
          'severity: fail',
          'data:',
          '  got: ECONNREFUSED',
          '',
          '  expect: 0',
          '...',
        ]),
        t('resolve localhost', 'skip', ['resolver check'], 'SKIP no resolver in initramfs'),
        t('ipv6 route', 'fail', [], 'TODO kernel lacks ipv6'),
      ],
      complete: true,
      problems: [],
    });
  });

  it('ends an unterminated YAML block at the next less indented line', () => {
    const result = parseTap(split('TAP version 13\n1..2\nnot ok 1 a\n  ---\n  why: cut\nok 2 b'));
    expect(result.tests).toEqual([t('a', 'fail', ['---', 'why: cut']), t('b', 'pass')]);
    expect(result.complete).toBe(true);
  });

  it('accepts a plan at the end and results without numbers', () => {
    const result = parseTap(split('TAP version 13\nok - first\nok\nnot ok - third\n1..3'));
    expect(result).toEqual({
      tests: [t('first', 'pass'), t('#2', 'pass'), t('third', 'fail')],
      complete: true,
      problems: [],
    });
  });

  it('reads TAP 14 subtests with the header above or inside them', () => {
    const result = parseTap(
      split(`TAP version 14
# Subtest: fs
    # Subtest: ext4
        1..2
        ok 1 - mount
        ok 2 - umount
    ok 1 - ext4 # time=12.5ms
    ok 2 - tmpfs
    1..2
ok 1 - fs # time=20ms
    # Subtest: net
    1..1
    not ok 1 - ping
      ---
      errno: 101
      ...
not ok 2 - net
1..2`),
    );
    expect(result).toEqual({
      tests: [
        t('fs.ext4.mount', 'pass'),
        t('fs.ext4.umount', 'pass'),
        t('fs.tmpfs', 'pass'),
        t('net.ping', 'fail', ['---', 'errno: 101', '...']),
      ],
      complete: true,
      problems: [],
    });
  });

  it('turns the rest of the plan into missing tests on a bail-out', () => {
    const result = parseTap(
      split(`TAP version 13
1..5
ok 1 - a
not ok 2 - b
Bail out! disk full
ok 3 - c`),
    );
    expect(result.tests).toEqual([
      t('a', 'pass'),
      t('b', 'fail'),
      t('#3', 'missing'),
      t('#4', 'missing'),
      t('#5', 'missing'),
    ]);
    expect(result.complete).toBe(false);
    expect(result.problems).toEqual(['bail out: disk full', 'plan 1..5 but only 2 results seen']);
  });

  it('closes open subtests on a bail-out inside them', () => {
    const result = parseTap(
      split(`TAP version 14
1..2
# Subtest: suite
    1..3
    ok 1 - x
    Bail out! lost the device`),
    );
    expect(result.tests).toEqual([
      t('suite.x', 'pass'),
      t('suite.#2', 'missing'),
      t('suite.#3', 'missing'),
      t('#2', 'missing'),
    ]);
    expect(result.complete).toBe(false);
    expect(result.problems[0]).toBe('bail out: lost the device');
  });

  it('is incomplete when a stream with its plan at the end is cut', () => {
    const result = parseTap(split('TAP version 13\nok 1 - a\nok 2 - b'));
    expect(result.tests.map((test) => test.id)).toEqual(['a', 'b']);
    expect(result.complete).toBe(false);
    expect(result.problems).toEqual(['no plan line seen']);
  });

  it('reads plain TAP without a version line, numbers being optional', () => {
    const result = parseTap(['1..3', 'ok', 'not ok -1', 'ok 3 # skip', '1..', '1..abc', 'okay']);
    expect(result).toEqual({
      tests: [t('#1', 'pass'), t('-1', 'fail'), t('#3', 'skip', [], 'skip')],
      complete: true,
      problems: [],
    });
  });

  it('finds nothing in empty input', () => {
    expect(parseTap([])).toEqual({
      tests: [],
      complete: false,
      problems: ['no KTAP/TAP version line or results found'],
    });
  });
});
