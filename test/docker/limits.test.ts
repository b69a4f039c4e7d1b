import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_BUILD_LIMITS, isolated, limitHit } from '../../src/model/limits.js';
import type { ConfigError } from '../../src/config/load.js';
import { parseConfig } from '../../src/config/load.js';
import { REPO_ROOT } from '../helpers/fixtures.js';

const kernel = (limits: string) =>
  `kernel:\n  build: { context: ., limits: ${limits} }\n  path: /out/kernel\n`;
const limitsOf = (limits: string) => {
  const settings = parseConfig(kernel(limits), '/c/diverge.yml');
  if (!settings.kernel || !('build' in settings.kernel) || !settings.kernel.build)
    throw new Error('no kernel.build');
  return settings.kernel.build.limits;
};

describe('kernel.build.limits', () => {
  it('reads sizes and durations as the rest of the config does, and defaults the rest', () => {
    expect(limitsOf('{ memory: 512M, time: 90s }')).toEqual({
      ...DEFAULT_BUILD_LIMITS,
      memoryBytes: 512 * 2 ** 20,
      timeMs: 90_000,
    });
    expect(limitsOf('{ processes: 64, network: false }')).toMatchObject({
      processes: 64,
      network: false,
    });
  });

  it('names the field of a bad value', () => {
    const issues = (limits: string) => {
      try {
        parseConfig(kernel(limits), 'diverge.yml');
      } catch (error) {
        return (error as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
      }
      return [];
    };
    expect(issues('{ memory: 10M }')).toEqual([
      'kernel.build.limits.memory: expected at least 64M, got "10M"',
    ]);
    expect(issues('{ processes: 2 }')).toEqual([
      'kernel.build.limits.processes: expected an integer ≥ 16, got 2',
    ]);
    expect(issues('{ network: off }')).toEqual([
      'kernel.build.limits.network: expected true or false, got "off"',
    ]);
  });

  it("docs/config.md's table gives the defaults the code applies", () => {
    const docs = readFileSync(`${REPO_ROOT}/docs/config.md`, 'utf8');
    const row = (key: string) =>
      new RegExp(`^\\| \`${key}\`\\s*\\| \`([^\`]+)\``, 'm').exec(docs)?.[1];
    const parsed = limitsOf(
      `{ memory: ${row('memory')}, processes: ${row('processes')}, time: ${row('time')}, network: ${row('network')} }`,
    );
    expect(parsed).toEqual(DEFAULT_BUILD_LIMITS);
  });

  it('an untrusted build has no network whatever the config says', () => {
    expect(isolated({ ...DEFAULT_BUILD_LIMITS, network: true }).network).toBe(false);
  });

  it("says a submission's build is without network because it is a submission, not because of the config", () => {
    const failure = 'returned a non-zero code: 100';
    const lines = ['Temporary failure resolving mirror.invalid'];
    expect(limitHit('kernel.build', isolated(DEFAULT_BUILD_LIMITS), failure, lines)).toMatch(
      /^a submission's build has no network \(diverge grade never gives one\): what needs it belongs in the staff's part of the recipe/,
    );
    expect(
      limitHit('kernel.build', { ...DEFAULT_BUILD_LIMITS, network: false }, failure, lines),
    ).toBe('builds have no network here (kernel.build.limits.network is false)');
  });
});

describe('which limit a failed build hit', () => {
  const limits = { ...DEFAULT_BUILD_LIMITS, network: false };
  it.each([
    [
      'a step killed with 137',
      "The command '/bin/sh -c make' returned a non-zero code: 137",
      [],
      /limits\.memory is 4096M/,
    ],
    [
      'fork failures',
      'returned a non-zero code: 2',
      ['sh: 1: Cannot fork'],
      /limits\.processes is 1024/,
    ],
    [
      'bash retrying forks',
      'returned a non-zero code: 254',
      ['bash: fork: retry: Resource temporarily unavailable'],
      /limits\.processes/,
    ],
    [
      'name resolution without network',
      'returned a non-zero code: 100',
      ['Temporary failure resolving mirror.invalid'],
      /no network here/,
    ],
  ])('%s', (_, failure, lines, expected) => {
    expect(limitHit('kernel.build', limits, failure, lines)).toMatch(expected);
  });

  it('says nothing about an ordinary compile error, or about resolving with the network on', () => {
    expect(
      limitHit('kernel.build', limits, 'returned a non-zero code: 2', ['main.c:1: error']),
    ).toBeUndefined();
    expect(
      limitHit('kernel.build', DEFAULT_BUILD_LIMITS, 'code: 100', [
        'Temporary failure resolving x',
      ]),
    ).toBeUndefined();
  });
});
