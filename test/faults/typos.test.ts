/**
 * Validate, then touch: a typo (a kernel path, a reference, the config, a --test glob, a
 * submissions folder, a --from) is found before --out is taken, through the bundled CLI. Each
 * case runs into an --out an earlier run wrote to and checks that every file there is
 * byte-identical afterwards, none added or removed: exit 2, the file or glob named.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { fixtureKernels } from '../helpers/fixtures.js';
import { type FaultSandbox, faultSandbox, leftovers } from './sandbox.js';

let kernel: string;
beforeAll(async () => {
  kernel = (await fixtureKernels()).X86_61_A as string;
});

/** What an earlier `diverge run` leaves in --out (stand-ins: only their bytes matter here). */
const EARLIER: Record<string, string> = {
  'report.json': '{"schema":"diverge.report/v1"}\n',
  'report.md': '# earlier report\n',
  'report.html': '<!doctype html><title>earlier</title>\n',
  'boots.json': '{"observations":[]}\n',
  'observations/candidate-1.json': '{"kernel":"candidate"}\n',
  'logs/candidate-1.log': 'earlier serial log\n',
  'gradebook.json': '{"schema":"diverge.gradebook/v1"}\n',
  'bisect.json': '{"schema":"diverge.bisect/v1"}\n',
  'notes.txt': "the user's own file\n",
};

/** Every file under `dir` with its bytes, by relative path. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const name = path.join(rel, entry.name);
      if (entry.isDirectory()) walk(name);
      else files[name] = readFileSync(path.join(dir, name), 'latin1');
    }
  };
  walk('');
  return files;
}

/** A sandbox whose --out holds an earlier run's files, and a config written from `yaml`. */
function withEarlierRun(kind: string, yaml = '') {
  const sb = faultSandbox(kind);
  for (const [name, text] of Object.entries(EARLIER)) {
    mkdirSync(path.dirname(path.join(sb.out, name)), { recursive: true });
    writeFileSync(path.join(sb.out, name), text);
  }
  const config = path.join(sb.work, 'diverge.yml');
  writeFileSync(config, yaml);
  return { sb, config, before: snapshot(sb.out) };
}

/** The case's common end: exit 2, the message, --out as it was, nothing left behind. */
async function refusedUntouched(
  sb: FaultSandbox,
  before: Record<string, string>,
  args: string[],
  message: string | RegExp,
) {
  const result = await sb.cli(args);
  expect(result.stderr).not.toContain('removed');
  expect(result.code).toBe(2);
  if (typeof message === 'string') expect(result.stderr).toContain(`diverge: ${message}`);
  else expect(result.stderr).toMatch(message);
  expect(snapshot(sb.out)).toEqual(before);
  expect(await leftovers(sb)).toEqual([]);
  return result;
}

describe('a typo leaves an earlier --out as it was', () => {
  it('typo-candidate: run --candidate /nonexistent.elf names the file, exit 2, --out untouched', async () => {
    const { sb, config, before } = withEarlierRun('typo-candidate');
    await refusedUntouched(
      sb,
      before,
      [
        'run',
        '-c',
        config,
        '--candidate',
        '/nonexistent.elf',
        '-r',
        `staff=${kernel}`,
        '-o',
        sb.out,
      ],
      'kernel "candidate": file not found: /nonexistent.elf',
    );
  });

  it('typo-kernel-file: run with kernel.file misspelt in the config names it, --out untouched', async () => {
    const { sb, config, before } = withEarlierRun(
      'typo-kernel-file',
      'kernel: { file: build/kernal.elf }\n',
    );
    await refusedUntouched(
      sb,
      before,
      ['run', '-c', config, '-r', `staff=${kernel}`, '-o', sb.out],
      `kernel "candidate": file not found: ${path.join(sb.work, 'build/kernal.elf')}`,
    );
  });

  it('typo-reference: a reference file misspelt (flag and config) is named, --out untouched', async () => {
    const { sb, config, before } = withEarlierRun(
      'typo-reference',
      'references:\n  - { name: staff, file: refs/staf.elf }\n',
    );
    await refusedUntouched(
      sb,
      before,
      ['run', '-c', config, '--candidate', kernel, '-o', sb.out],
      `reference staff: no kernel file at ${path.join(sb.work, 'refs/staf.elf')}`,
    );
    await refusedUntouched(
      sb,
      before,
      ['run', '-c', config, '--candidate', kernel, '-r', 'v1=/refs/v1.elff', '-o', sb.out],
      'kernel "v1": file not found: /refs/v1.elff',
    );
  });

  it('typo-config: a misspelt key or config file is named, --out untouched', async () => {
    const { sb, config, before } = withEarlierRun('typo-config', 'machin:\n  memory: 256M\n');
    await refusedUntouched(
      sb,
      before,
      ['run', '-c', config, '--candidate', kernel, '-r', `staff=${kernel}`, '-o', sb.out],
      `${config}:1: machin: unknown key`,
    );
    const missing = path.join(sb.work, 'diverge.yaml');
    await refusedUntouched(
      sb,
      before,
      ['run', '-c', missing, '--candidate', kernel, '-r', `staff=${kernel}`, '-o', sb.out],
      `${missing}: cannot read config`,
    );
  });

  it('typo-boot-kernel: boot -k with a missing file names it, --out untouched', async () => {
    const { sb, config, before } = withEarlierRun('typo-boot-kernel');
    await refusedUntouched(
      sb,
      before,
      ['boot', '-c', config, '-k', `a=${kernel}`, '-k', 'b=/nonexistent/bzImage', '-o', sb.out],
      'kernel "b": file not found: /nonexistent/bzImage',
    );
  });

  it('typo-harness-dir: a missing harness.dir is named before --out is taken', async () => {
    const { sb, config, before } = withEarlierRun('typo-harness-dir', 'harness: { dir: harnes }\n');
    await refusedUntouched(
      sb,
      before,
      ['boot', '-c', config, '-k', `a=${kernel}`, '-o', sb.out],
      `harness.dir: ${path.join(sb.work, 'harnes')} is not a directory`,
    );
  });

  it('typo-test-glob: bisect --test with a glob no listed test matches names the nearest ids, --out untouched', async () => {
    const { sb, config, before } = withEarlierRun(
      'typo-test-glob',
      [
        'kernel: { build: { context: . }, path: /out/kernel.elf }',
        'machine: { append: "console=ttyS0 test={test}" }',
        'harness: { none: true, tests: [alloc_distinct, alloc_free, sleep_ticks] }',
        '',
      ].join('\n'),
    );
    writeFileSync(path.join(sb.work, 'Dockerfile'), 'FROM scratch\n');
    execFileSync('git', ['init', '-q', sb.work]);
    await refusedUntouched(
      sb,
      before,
      [
        'bisect',
        '-c',
        config,
        '--good',
        'HEAD~3',
        '--bad',
        'HEAD',
        '-t',
        'alloc_distnct',
        '-o',
        sb.out,
      ],
      '--test "alloc_distnct" matches no test (nearest: alloc_distinct)',
    );
  });

  it('typo-grade-submissions: grade names a missing --submissions folder or reference, --out untouched', async () => {
    const { sb, config, before } = withEarlierRun(
      'typo-grade-submissions',
      'references:\n  - { name: staff, file: staff.elf }\n',
    );
    await refusedUntouched(
      sb,
      before,
      ['grade', '-c', config, '--submissions', path.join(sb.work, 'submisions'), '-o', sb.out],
      `reference staff: no kernel file at ${path.join(sb.work, 'staff.elf')}`,
    );
    writeFileSync(path.join(sb.work, 'staff.elf'), readFileSync(kernel));
    await refusedUntouched(
      sb,
      before,
      ['grade', '-c', config, '--submissions', path.join(sb.work, 'submisions'), '-o', sb.out],
      `--submissions ${path.join(sb.work, 'submisions')}: ENOENT`,
    );
  });

  it('typo-grade-bisect-reference: grade and bisect name a --reference that is no kernel file and no buildable directory, --out untouched', async () => {
    // The config's own reference is missing too: --reference replaces it, so only the flag's is named.
    const { sb, config, before } = withEarlierRun(
      'typo-grade-bisect-reference',
      [
        'kernel: { build: { context: . }, path: /out/kernel.elf }',
        'references: [{ name: old, file: old.elf }]',
        '',
      ].join('\n'),
    );
    writeFileSync(path.join(sb.work, 'Dockerfile'), 'FROM scratch\n');
    mkdirSync(path.join(sb.work, 'submissions'));
    const grade = (...more: string[]) => [
      'grade',
      '-c',
      config,
      '--submissions',
      path.join(sb.work, 'submissions'),
      ...more,
      '-o',
      sb.out,
    ];
    const bisect = (...more: string[]) => [
      'bisect',
      '-c',
      config,
      '--good',
      'HEAD~1',
      '--bad',
      'HEAD',
      ...more,
      '-o',
      sb.out,
    ];
    for (const args of [grade, bisect]) {
      const result = await refusedUntouched(
        sb,
        before,
        args('--reference', 'staff=/refs/staf.elf'),
        'kernel "staff": file not found: /refs/staf.elf',
      );
      expect(result.stderr).not.toContain('old.elf');
    }
    // The good revision's kernel is the reference "good".
    await refusedUntouched(
      sb,
      before,
      bisect('-r', `good=${kernel}`),
      `reference good: the good revision's kernel is the reference of that name: rename it, or pass --no-good-reference`,
    );
    // A directory is built with kernel.build: a config without one cannot build it.
    const prebuilt = path.join(sb.work, 'prebuilt.yml');
    writeFileSync(prebuilt, 'kernel: { file: kernel.elf }\n');
    await refusedUntouched(
      sb,
      before,
      [
        'grade',
        '-c',
        prebuilt,
        '--submissions',
        path.join(sb.work, 'submissions'),
        '-r',
        `src=${sb.work}`,
        '-o',
        sb.out,
      ],
      `reference src: ${sb.work} is a directory, which diverge builds with kernel.build, and the config has none`,
    );
    // ...and a recipe whose Dockerfile is not there cannot either.
    rmSync(path.join(sb.work, 'Dockerfile'));
    await refusedUntouched(
      sb,
      before,
      bisect('-r', `src=${sb.work}`),
      `kernel.build.dockerfile: no file Dockerfile in the context ${sb.work}`,
    );
  });

  it('typo-rubric-glob: a grading.points glob no listed test matches is named with the nearest ids, --out untouched', async () => {
    const { sb, config, before } = withEarlierRun(
      'typo-rubric-glob',
      [
        'machine: { append: "console=ttyS0 test={test}" }',
        'harness: { none: true, tests: [alarm-single, alarm-multiple, priority-change] }',
        'references: [{ name: staff, file: staff.elf }]',
        'grading: { points: [{ test: "alarm-*", points: 2 }, { test: "priorty-*", points: 3 }] }',
        '',
      ].join('\n'),
    );
    writeFileSync(path.join(sb.work, 'staff.elf'), readFileSync(kernel));
    mkdirSync(path.join(sb.work, 'submissions'));
    const rubric = `${config}: grading.points[1].test: "priorty-*" matches no test (nearest: priority-change)`;
    await refusedUntouched(
      sb,
      before,
      ['grade', '-c', config, '--submissions', path.join(sb.work, 'submissions'), '-o', sb.out],
      rubric,
    );
    await refusedUntouched(
      sb,
      before,
      [
        'run',
        '-c',
        config,
        '--candidate',
        kernel,
        '--gradescope',
        path.join(sb.work, 'r.json'),
        '-o',
        sb.out,
      ],
      rubric,
    );
  });

  it('typo-compare-from: compare --from a missing folder names it and makes no folder, --out untouched', async () => {
    const { sb, config, before } = withEarlierRun('typo-compare-from');
    const from = path.join(sb.work, 'diverge-ot');
    await refusedUntouched(
      sb,
      before,
      ['compare', '-c', config, '--from', from, '-o', sb.out],
      `${path.join(from, 'boots.json')}: no saved run here`,
    );
    expect(existsSync(from)).toBe(false);
  });
});
