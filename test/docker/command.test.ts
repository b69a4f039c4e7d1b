/**
 * `grading.build`: its config (a stage of kernel.build's recipe, a command, the kernel's path)
 * and which of a submission's files the command sees.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { selectEntries } from '../../src/docker/command.js';
import { scanContext } from '../../src/docker/context.js';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { COURSE_COMMAND_BUILD } from '../helpers/course-submissions.js';
import { REPO_ROOT } from '../../src/run/fixtures.js';
import { scratchDir } from '../helpers/fixtures.js';

const KERNEL = 'kernel:\n  build: { context: ., target: kernel }\n  path: /out/kernel.elf\n';

function messageOf(text: string): string {
  try {
    parseConfig(text, 'diverge.yml');
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('grading.build', () => {
  it('is read with its defaults: every file copied, no extra files', () => {
    const settings = parseConfig(
      `${KERNEL}grading:\n  build: { stage: toolchain, run: make kernel, path: out/kernel.elf }\n`,
      '/course/diverge.yml',
    );
    expect(settings.grading.build).toStrictEqual({
      stage: 'toolchain',
      run: 'make kernel',
      path: 'out/kernel.elf',
      extra: [],
    });
  });

  it('is absent unless written', () => {
    expect(parseConfig(KERNEL, '/course/diverge.yml').grading.build).toBeUndefined();
  });

  it('needs kernel.build, whose Dockerfile holds the stage', () => {
    expect(
      messageOf(
        'kernel: { file: k.elf }\ngrading:\n  build: { stage: toolchain, run: make, path: k }\n',
      ),
    ).toBe(
      "diverge.yml:3: grading.build: runs in a stage of kernel.build's Dockerfile: kernel.build is missing",
    );
  });

  it('names each missing or bad field', () => {
    expect(
      messageOf(`${KERNEL}grading:\n  build:\n    stage: toolchain\n    copy: [../staff, /etc]\n`),
    ).toBe(
      [
        'diverge.yml:5: grading.build.run: missing (expected a shell command)',
        'diverge.yml:5: grading.build.path: missing (expected a path like out/kernel.elf)',
        'diverge.yml:7: grading.build.copy[0]: expected a path relative to the submission, got "../staff"',
        'diverge.yml:7: grading.build.copy[1]: expected a path relative to the submission, got "/etc"',
      ].join('\n'),
    );
  });
});

describe('selectEntries', () => {
  const dir = scratchDir('command-select');
  mkdirSync(path.join(dir, 'kernel', 'sub'), { recursive: true });
  mkdirSync(path.join(dir, 'kernels'), { recursive: true });
  for (const file of ['Makefile', 'notes.txt', 'kernel/main.c', 'kernel/sub/x.c', 'kernels/y.c'])
    writeFileSync(path.join(dir, file), file);
  const staffDockerfile = path.join(scratchDir('command-select-staff'), 'Dockerfile');
  writeFileSync(staffDockerfile, 'FROM scratch\n');
  const names = async (copy?: string[]) =>
    selectEntries(
      await scanContext(dir, 'Dockerfile', 'kernel.build', undefined, staffDockerfile),
      copy,
    ).map((e) => e.name);

  it('takes the whole submission when copy is absent, never the staff Dockerfile sent with it', async () => {
    expect(await names()).toStrictEqual([
      'Makefile',
      'kernel',
      'kernel/main.c',
      'kernel/sub',
      'kernel/sub/x.c',
      'kernels',
      'kernels/y.c',
      'notes.txt',
    ]);
  });

  it('takes a listed path and what is under it, not a sibling that shares its prefix', async () => {
    expect(await names(['kernel/', './Makefile'])).toStrictEqual([
      'Makefile',
      'kernel',
      'kernel/main.c',
      'kernel/sub',
      'kernel/sub/x.c',
    ]);
    expect(await names(['.'])).toHaveLength(8);
    expect(await names(['absent'])).toStrictEqual([]);
  });
});

describe("docs/grading.md's grading.build example", () => {
  it('loads, and is how the generated course builds with one command', () => {
    const doc = readFileSync(path.join(REPO_ROOT, 'docs', 'grading.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## One command per submission'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const documented = parseConfig(yaml, '/course/diverge.yml').grading.build;
    const generated = parseConfig(
      `${KERNEL}grading:\n${COURSE_COMMAND_BUILD.join('\n')}\n`,
      '/course/diverge.yml',
    ).grading.build;
    expect(documented).toStrictEqual(generated);
  });
});
