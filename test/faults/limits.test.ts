/**
 * The limits a student's build runs under, through `diverge grade` on the real Docker engine:
 * the disk it may write (one file, in a Docker build's step or a grading.build container; all it
 * writes, in a grading.build container) and the size of the source sent to Docker. Each bomb is
 * a row that fails naming the limit, quickly, leaving no container.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { ftruncateSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { multibootKernel, X86_CODE } from '../../src/qemu/probe-kernel.js';
import { type FaultSandbox, faultSandbox, leftovers } from './sandbox.js';

const BASE_IMAGE = 'debian:bookworm-slim';

const kernel = multibootKernel([
  ...X86_CODE.serialPort,
  ...X86_CODE.print('KTAP version 1\n1..1\nok 1 a\n'),
  ...X86_CODE.debugExit(0),
]);

const MACHINE =
  'machine: { exit: isa-debug-exit, accel: tcg }\n' +
  'harness: { none: true, rerun-divergent: 0, timeouts: { boot: 60s, stall: 60s, total: 90s } }\n' +
  'references:\n  - { name: staff, file: staff.elf }\n';

/** One submission directory holding kernel.elf (and `more` files); its --submissions folder. */
function submission(sb: FaultSandbox, name: string, more: Record<string, string> = {}): string {
  const dir = path.join(sb.root, 'submissions', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'kernel.elf'), kernel);
  for (const [file, text] of Object.entries(more)) writeFileSync(path.join(dir, file), text);
  return path.dirname(dir);
}

function config(sb: FaultSandbox, yaml: string, dockerfile: string): string {
  writeFileSync(path.join(sb.work, 'staff.elf'), kernel);
  writeFileSync(path.join(sb.work, 'Dockerfile'), dockerfile);
  const file = path.join(sb.work, 'diverge.yml');
  writeFileSync(file, MACHINE + yaml);
  return file;
}

/** A course building each submission with one command in a stage of debian:bookworm-slim. */
const commandCourse = (sb: FaultSandbox, run: string) =>
  config(
    sb,
    'kernel:\n  build: { context: ., target: tools, limits: { disk: 64M, time: 120s } }\n' +
      '  path: /src/kernel.elf\n' +
      `grading:\n  build: { stage: tools, run: ${JSON.stringify(run)}, path: kernel.elf }\n`,
    `FROM ${BASE_IMAGE} AS tools\nWORKDIR /src\n`,
  );

const rowOf = (sb: FaultSandbox, name: string) =>
  JSON.parse(readFileSync(path.join(sb.out, 'students', name, 'grade.json'), 'utf8')) as {
    conclusion: string;
    build?: { ok?: boolean; message?: string };
  };

async function gradeAlice(sb: FaultSandbox, configFile: string, submissions: string) {
  const started = Date.now();
  const result = await sb.cli([
    'grade',
    '-c',
    configFile,
    '--submissions',
    submissions,
    '-o',
    sb.out,
  ]);
  expect(result.code).toBe(0);
  const row = rowOf(sb, 'alice');
  expect(row.conclusion).toBe('failure');
  expect(Date.now() - started).toBeLessThan(60_000);
  expect(await leftovers(sb)).toEqual([]);
  return JSON.stringify(row);
}

describe('faults: build limits', () => {
  it('build-disk-file: a grading.build that writes one file past kernel.build.limits.disk is stopped by the file size limit, the row naming it', async () => {
    const sb = faultSandbox('build-disk-file');
    const row = await gradeAlice(
      sb,
      commandCourse(sb, 'dd if=/dev/zero of=big bs=1M count=3000 && cp kernel.elf out.elf'),
      submission(sb, 'alice'),
    );
    expect(row).toContain(
      'the build wrote more than its disk limit: kernel.build.limits.disk is 64M',
    );
  });

  it('build-disk-total: a grading.build that writes many files, each under the limit, past kernel.build.limits.disk in all is killed, the row naming the limit', async () => {
    const sb = faultSandbox('build-disk-total');
    const row = await gradeAlice(
      sb,
      commandCourse(
        sb,
        'i=0; while [ $i -lt 3000 ]; do dd if=/dev/zero of=f$i bs=1M count=1 2>/dev/null; i=$((i+1)); done',
      ),
      submission(sb, 'alice'),
    );
    expect(row).toContain(
      'stopped: the build wrote more than its disk limit: kernel.build.limits.disk is 64M',
    );
  });

  it('build-disk-step: a Dockerfile step of a submission that writes a file past kernel.build.limits.disk fails naming the limit', async () => {
    const sb = faultSandbox('build-disk-step');
    const configFile = config(
      sb,
      'kernel:\n  build: { context: ., limits: { disk: 64M, time: 120s } }\n  path: /src/out.elf\n',
      `FROM ${BASE_IMAGE}\nCOPY . /src\nRUN cd /src && sh build.sh\n`,
    );
    const submissions = submission(sb, 'alice', {
      'build.sh': 'dd if=/dev/zero of=big bs=1M count=3000 && cp kernel.elf out.elf\n',
    });
    const row = await gradeAlice(sb, configFile, submissions);
    expect(row).toContain(
      'the build wrote more than its disk limit: kernel.build.limits.disk is 64M',
    );
  });

  it('source-sparse-huge: a 3 GB sparse file in a submission is refused by its size before a byte is sent to Docker, naming the file; no image is made', async () => {
    const sb = faultSandbox('source-sparse-huge');
    const configFile = commandCourse(sb, 'true');
    const submissions = submission(sb, 'alice');
    const fd = openSync(path.join(submissions, 'alice', 'sparse.img'), 'w');
    ftruncateSync(fd, 3 * 1024 ** 3);
    closeSync(fd);
    const images = () => execFileSync('docker', ['images', '-qa'], { encoding: 'utf8' });
    const before = new Set(images().split('\n'));
    const row = await gradeAlice(sb, configFile, submissions);
    expect(row).toContain('holds 3.0 GiB of files, over the 1.0 GiB a build context may carry');
    expect(row).toContain('sparse.img (3.0 GiB)');
    // Only the staff's stage may be new (other runs may make images meanwhile: none of 3 GB).
    const big = execFileSync('docker', ['images', '--format', '{{.ID}} {{.Size}}'], {
      encoding: 'utf8',
    })
      .split('\n')
      .filter((line) => !before.has(line.split(' ')[0] ?? '') && /GB$/.test(line));
    expect(big).toEqual([]);
  });
});
