/**
 * `harness.checker` in the config, and how a checker's run is read: its exit status and output
 * as a verdict and a message, or as the checker's own failure. The runs themselves, in Docker on
 * kernels booted in QEMU, are test/integration/checker.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { CHECKER_LIMITS, DEFAULT_CHECKER_TIMEOUT_MS } from '../../src/model/checker.js';
import { checkerCommand, checkerMessage, readCheck } from '../../src/results/checker.js';
import { REPO_ROOT } from '../helpers/fixtures.js';

const DIR = '/course';
const load = (checker: string) =>
  parseConfig(`harness:\n  checker:\n${checker}`, path.join(DIR, 'diverge.yml')).harness.checker;

function problems(checker: string): string[] {
  try {
    load(checker);
  } catch (error) {
    if (error instanceof ConfigError)
      return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
    throw error;
  }
  throw new Error('expected a ConfigError');
}

/** The Pintos example of docs/config.md ("The course's checker"), whose `checker:` is loaded. */
const DOC = readFileSync(path.join(REPO_ROOT, 'docs/config.md'), 'utf8');
const PINTOS = (/\*\*Pintos\.\*\*[\s\S]*?```yaml\n[\s\S]*?\n {2}checker:\n([\s\S]*?)```/.exec(
  DOC,
)?.[1] ?? '') as string;

describe('harness.checker in the config', () => {
  it("is read with its defaults: the build context against the config's folder, 30 s to run", () => {
    // The docs' Pintos example, as it loads.
    expect(load(PINTOS)).toEqual({
      build: { context: '/course/pintos', dockerfile: 'checker.Dockerfile', args: {} },
      command: [
        'sh',
        '-c',
        'perl -I/pintos/src /pintos/src/tests/threads/{test}.ck /diverge/{test} /diverge/{test}.result >/dev/null || exit 2; cat /diverge/{test}.result; test "$(head -n 1 /diverge/{test}.result)" = PASS',
      ],
      timeoutMs: DEFAULT_CHECKER_TIMEOUT_MS,
    });
    expect(
      load(
        '    build: {}\n    command: [perl, check.pl, "{test}", "{output}"]\n    pass: "^pass "\n    timeout: 5s\n',
      ),
    ).toMatchObject({ pass: '^pass ', timeoutMs: 5000, build: { context: DIR } });
  });

  it.each([
    [
      '    build: {}\n',
      'harness.checker.command: missing (expected a command as a list of words, like [perl, check.pl, "{test}", "{output}"])',
    ],
    [
      '    build: {}\n    command: []\n',
      'harness.checker.command: expected a command as a list of words, like [perl, check.pl, "{test}", "{output}"], got []',
    ],
    [
      '    build: {}\n    command: perl check.pl\n',
      'harness.checker.command: expected a command as a list of words, like [perl, check.pl, "{test}", "{output}"], got "perl check.pl"',
    ],
    [
      '    build: {}\n    command: [perl, check.pl, "/diverge/{tset}.output"]\n',
      'harness.checker.command[2]: unknown placeholder {tset} (expected {test} or {output})',
    ],
    [
      '    build: {}\n    command: [check, "--in={outptu}"]\n',
      'harness.checker.command[1]: unknown placeholder {outptu} (expected {test} or {output})',
    ],
    ['    command: [check, "{output}"]\n', 'harness.checker.build: missing (expected a mapping)'],
    [
      '    build: {}\n    command: [check, "{output}"]\n    pass: "(unclosed"\n',
      'harness.checker.pass: expected a regular expression, got "(unclosed" (Unterminated group)',
    ],
    [
      '    build: {}\n    command: [check, "{output}"]\n    timeout: 0s\n',
      'harness.checker.timeout: expected a duration > 0, got "0s"',
    ],
    [
      '    build: {}\n    command: [check, "{output}"]\n    limits: {}\n',
      'harness.checker.limits: unknown key (expected one of build, command, pass, timeout)',
    ],
  ])('names the field: %j', (checker, problem) => {
    expect(problems(checker)).toEqual([problem]);
  });

  it("leaves a perl hash's or a shell variable's braces alone", () => {
    expect(
      load('    build: {}\n    command: [perl, -e, "print $ENV{x}, ${y}, {output}"]\n')?.command,
    ).toEqual(['perl', '-e', 'print $ENV{x}, ${y}, {output}']);
  });
});

describe('a checker run', () => {
  const finished = (exitCode: number) => ({ exitCode, timedOut: false, oomKilled: false });
  const text = (s: string) => Buffer.from(s);
  const pintos = { pass: '^pass ', timeoutMs: 30_000 };
  const byExit = { timeoutMs: 30_000 };

  it('replaces {test} and {output} in every word', () => {
    expect(
      checkerCommand(['perl', '{test}.ck', '{output}', 'x={test}:{output}'], 'alarm-single'),
    ).toEqual([
      'perl',
      'alarm-single.ck',
      '/diverge/alarm-single.output',
      'x=alarm-single:/diverge/alarm-single.output',
    ]);
  });

  it('passes by `pass` over its standard output, or by exit status 0 without it', () => {
    const red = text(
      '\u001b[31mFAIL tests/threads/alarm-single\u001b[0m\nRun produced no output\n',
    );
    expect(readCheck(finished(0), red, red, pintos)).toEqual({
      status: 'fail',
      message: ['FAIL tests/threads/alarm-single', 'Run produced no output'],
    });
    const green = text('\u001b[32mpass tests/threads/alarm-single\u001b[0m\n');
    expect(readCheck(finished(0), green, green, pintos)).toMatchObject({ status: 'pass' });
    // Only standard output counts for `pass`; standard error is in the message.
    expect(readCheck(finished(0), text(''), green, pintos)).toMatchObject({ status: 'fail' });
    expect(readCheck(finished(0), text('ok\n'), text('ok\n'), byExit)).toEqual({
      status: 'pass',
      message: ['ok'],
    });
    expect(readCheck(finished(1), text(''), text('wrong\n'), byExit)).toEqual({
      status: 'fail',
      message: ['wrong'],
    });
  });

  it("takes a timeout, the memory limit or another exit status as the checker's own failure", () => {
    const said = text('Can\u2019t locate tests/tests.pm in @INC\n');
    expect(
      readCheck({ exitCode: null, timedOut: true, oomKilled: false }, said, said, pintos),
    ).toEqual({
      unchecked: 'the checker did not finish within 30 s (harness.checker.timeout)',
      message: ['Can\u2019t locate tests/tests.pm in @INC'],
    });
    expect(
      readCheck({ exitCode: 137, timedOut: false, oomKilled: true }, said, said, byExit),
    ).toMatchObject({ unchecked: 'the checker was killed at its memory limit (512 MiB)' });
    expect(readCheck(finished(2), said, said, pintos)).toMatchObject({
      unchecked:
        'the checker failed: exit status 2 (0 or 1 is a verdict): Can\u2019t locate tests/tests.pm in @INC',
    });
    // With `pass`, a checker that died is not a fail: its words would not match anyway.
    expect(readCheck(finished(255), text(''), text(''), pintos)).toMatchObject({
      unchecked: 'the checker failed: exit status 255 (0 or 1 is a verdict)',
    });
  });

  it('keeps the start and the end of a long message, cleaned of control bytes', () => {
    const long = Buffer.from(
      `FAIL big\n${'x'.repeat(100)}\u0007\n${'filler line\n'.repeat(2000)}last reason\n`,
    );
    const message = checkerMessage(long);
    expect(message[0]).toBe('FAIL big');
    expect(message[1]).toBe('x'.repeat(100));
    expect(message.at(-1)).toBe('last reason');
    expect(message).toContain(
      `… ${long.length - CHECKER_LIMITS.messageBytes} bytes of the checker's output left out …`,
    );
    expect(message.join('\n').length).toBeLessThan(CHECKER_LIMITS.messageBytes + 200);
  });
});
