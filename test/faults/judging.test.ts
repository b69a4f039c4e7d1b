/**
 * Kernel output that tries to steer the judgement: test ids are text a kernel prints, so they
 * must never act as patterns, and matching them must cost the same whatever a pattern holds.
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { compileGlob } from '../../src/util/glob.js';
import { type FaultSandbox, faultSandbox, leftovers } from './sandbox.js';

const boot = (kernel: string) => ({
  kernel,
  attempt: 1,
  outcome: 'completed',
  stage: 'done',
  durationMs: 1,
  accel: 'tcg',
  log: '',
  splats: [],
  exitStatus: 0,
  logTruncated: false,
  command: [],
});

/** A saved run (boots.json) in `dir`: the staff passes every test, the candidate fails `failing`. */
function savedRun(dir: string, tests: string[], failing: string) {
  mkdirSync(dir, { recursive: true });
  const observation = (kernel: string) => ({
    kernel,
    attempt: 1,
    boot: boot(kernel),
    tests: tests.map((id) => ({
      id,
      status: kernel === 'candidate' && id === failing ? 'fail' : 'pass',
      output: [],
    })),
    complete: true,
    problems: [],
  });
  writeFileSync(
    path.join(dir, 'boots.json'),
    JSON.stringify({
      host: { qemu: 'QEMU 8', accel: 'tcg', accelReason: 'x', cpus: 1, jobs: 1 },
      harness: { digest: `sha256:${'0'.repeat(64)}`, format: 'ktap', channel: 'console' },
      observations: [observation('staff'), observation('candidate')],
    }),
  );
}

const compare = (sb: FaultSandbox, config: string, from: string, out: string) =>
  sb.cli(['compare', '-c', config, '--from', from, '--candidate', 'candidate', '--out', out]);

describe('kernel output as patterns', () => {
  it('test-id-glob: an accepted test named `**` accepts nothing but itself', async () => {
    const sb = faultSandbox('test-id-glob');
    const config = path.join(sb.work, 'diverge.yml');
    const expectations = path.join(sb.work, 'expectations.yml');
    writeFileSync(config, 'expectations: expectations.yml\n');
    const tests = ['**', 'fs.*', 'other.test'];

    // A candidate fails the test named `**`; its divergence is accepted.
    savedRun(path.join(sb.work, 'first'), tests, '**');
    const first = await compare(sb, config, path.join(sb.work, 'first'), sb.out);
    expect(first.code).toBe(1);
    const update = await sb.cli([
      'expectations',
      'update',
      '-c',
      config,
      '--report',
      path.join(sb.out, 'report.json'),
    ]);
    expect(update.code).toBe(0);
    expect(readFileSync(expectations, 'utf8')).toContain('test: \\*\\*');

    // Later, another test regresses: it is a regression, not `expected`.
    const later = path.join(sb.root, 'later');
    savedRun(path.join(sb.work, 'second'), tests, 'other.test');
    const second = await compare(sb, config, path.join(sb.work, 'second'), later);
    expect(second.code).toBe(1);
    const report = JSON.parse(readFileSync(path.join(later, 'report.json'), 'utf8')) as {
      tests: { id: string; verdict: { class: string } }[];
    };
    expect(report.tests.find((t) => t.id === 'other.test')?.verdict.class).toBe('regression');
    // The accepted entry still covers its own test.
    savedRun(path.join(sb.work, 'third'), tests, '**');
    const third = await compare(sb, config, path.join(sb.work, 'third'), path.join(sb.root, 't'));
    expect(third.code).toBe(0);
    expect(existsSync(path.join(sb.root, 't', 'report.json'))).toBe(true);
    expect(await leftovers(sb)).toEqual([]);
  });

  it('glob-bomb: nested `**` against a 300-character id is decided at once', () => {
    // A backtracking regular expression takes minutes on this (4 repeats: ~20 s, and doubling
    // with each `**`); the matcher walks the id once.
    const glob = `${'**a'.repeat(12)}**b`;
    const id = 'a'.repeat(300);
    for (let i = 0; i < 4; i++) expect(compileGlob(glob)(id)).toBe(false);
    expect(compileGlob(glob)(`${id}b`)).toBe(true);
  });
});

describe('the expectations file', () => {
  it('expectations-symlink: expectations update writes through a symbolic link and keeps it', async () => {
    const sb = faultSandbox('expectations-symlink');
    const shared = path.join(sb.root, 'shared-expectations.yml');
    writeFileSync(shared, 'expectations:\n');
    const link = path.join(sb.work, 'expectations.yml');
    symlinkSync(shared, link);
    const config = path.join(sb.work, 'diverge.yml');
    writeFileSync(config, 'expectations: expectations.yml\n');
    savedRun(path.join(sb.work, 'run'), ['a', 'b'], 'b');
    expect((await compare(sb, config, path.join(sb.work, 'run'), sb.out)).code).toBe(1);
    const update = await sb.cli([
      'expectations',
      'update',
      '-c',
      config,
      '--report',
      path.join(sb.out, 'report.json'),
    ]);
    expect(update.code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(shared, 'utf8')).toMatch(/- test: b\n/);
    expect(await leftovers(sb)).toEqual([]);
  });
});
