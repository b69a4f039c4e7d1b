import { describe, expect, it } from '@jest/globals';
import { ConfigError, parseConfig } from '../../src/config/load.js';

/** The problems `text` has, one a line, without the file name. */
function problemsOf(text: string): string {
  try {
    parseConfig(text, 'diverge.yml');
  } catch (error) {
    if (error instanceof ConfigError) return error.message.replace(/^diverge\.yml:\d+: /gm, '');
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const harness = (yaml: string) => parseConfig(yaml, 'diverge.yml').harness;

describe('harness.token', () => {
  it('is cmdline for a harness image, whose /init frames its results, and none otherwise', () => {
    expect(harness('harness: { image: { ref: h:1 } }').token).toBe('cmdline');
    expect(harness('harness: { none: true }').token).toBe('none');
    expect(harness('harness: { none: true, token: cmdline }').token).toBe('cmdline');
    expect(harness('harness: { image: { ref: h:1 }, token: none }').token).toBe('none');
  });

  it('types echo {token} before each console step unless token-send says otherwise', () => {
    const script = '[{ expect: "\\\\$ ", send: "ls\\n", test: ls }]';
    expect(harness(`harness: { token: script, script: ${script} }`).tokenSend).toBe(
      'echo {token}\n',
    );
    expect(
      harness(`harness: { token: script, token-send: "print {token}\\n", script: ${script} }`)
        .tokenSend,
    ).toBe('print {token}\n');
    expect(problemsOf(`harness: { token: script, token-send: "echo\\n", script: ${script} }`)).toBe(
      'harness.token-send: expected text to send, with {token} where the token goes, got "echo\\n"',
    );
  });

  it('refuses script without a step that sends, and cmdline on a boot disk, which has no -append', () => {
    expect(problemsOf('harness: { token: script }')).toBe(
      'harness.token: token: script types the token before each step that sends a command, and harness.script has none',
    );
    expect(problemsOf('machine: { boot: disk }\nharness: { token: cmdline }')).toBe(
      'harness.token: a boot disk has no kernel command line to carry the token (machine.boot: disk): set harness.token: none',
    );
    expect(problemsOf('harness: { token: yes }')).toBe(
      'harness.token: expected one of cmdline, script, none, got "yes"',
    );
  });
});
