/** What integration tests of the course fixture share: its staff kernels, and the Docker host. */
import { readFileSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { dockerAccess } from '../../src/docker/docker.js';
import { buildKernel } from '../../src/docker/kernel.js';
import { loadConfig } from '../../src/config/load.js';
import type { RunContext } from '../../src/context.js';
import { validateGradebook } from '../../src/grade/gradebook.js';
import { buildCourseHarness } from '../../src/run/demo.js';
import { COURSE_DIR } from '../../src/run/fixtures.js';
import { cli, type CliResult } from './fixtures.js';
import type { Gradebook } from '../../src/model/gradebook.js';

/** The course's harness and its staff and staff-alt kernels, built in Docker into `dir`. */
export async function courseReferences(
  context: RunContext,
  dir: string,
): Promise<{ staff: string; staffAlt: string; harness: string }> {
  const docker = dockerAccess(context.dockerHost);
  const harness = await buildCourseHarness(context, docker, dir, () => {});
  const staff = (variant: string) => courseVariantKernel(context, dir, variant);
  return { staff: await staff('staff'), staffAlt: await staff('staff-alt'), harness };
}

/** A kernel variant of the fixture course (fixtures/course/Makefile's VARIANTS), built under `dir`. */
export async function courseVariantKernel(
  context: RunContext,
  dir: string,
  variant: string,
): Promise<string> {
  const settings = await loadConfig(path.join(COURSE_DIR, 'diverge.yml'));
  const kernel = settings.kernel as Parameters<typeof buildKernel>[1];
  const built = await buildKernel(dockerAccess(context.dockerHost), kernel, {
    variant,
    outDir: path.join(dir, variant),
    progress: () => {},
    contextCache: context.cache.contexts,
    clock: context.clock,
  });
  return built.kernel.path;
}

/**
 * An address of this host that containers on Docker's default network reach (docker0 or, when
 * the engine runs in a namespace of its own, the host's outward one).
 */
export function dockerHostAddress(): string {
  const addresses = Object.entries(networkInterfaces()).flatMap(([name, list]) =>
    (list ?? []).filter((a) => a.family === 'IPv4' && !a.internal).map((a) => ({ name, ...a })),
  );
  return (addresses.find((a) => a.name === 'docker0') ?? addresses[0])?.address ?? '';
}

/** The arguments of `diverge grade` of a generated course into `out`, with two jobs. */
export const gradeArgs = (
  course: { config: string; submissions: string },
  out: string,
): string[] => [
  'grade',
  '--config',
  course.config,
  '--submissions',
  course.submissions,
  '--out',
  out,
  '-j',
  '2',
];

/** `diverge grade` of a generated course into `out` with two jobs, as course staff run it. */
export const gradeCli = (
  course: { config: string; submissions: string },
  out: string,
  env: NodeJS.ProcessEnv,
  ...more: string[]
): Promise<CliResult> => cli([...gradeArgs(course, out), ...more], env);

/** The gradebook `diverge grade` wrote to `out`, checked against its schema. */
export const gradebookIn = (out: string): Gradebook =>
  validateGradebook(
    JSON.parse(readFileSync(path.join(out, 'gradebook.json'), 'utf8')),
    `${out}/gradebook.json`,
  );

/**
 * Adds `line` to the kernel rule of the Makefile in a submission's `source`: student code that
 * every build of it runs (the staff's Dockerfile and grading.build both run `make kernel`).
 */
export function inKernelRule(source: string, line: string): void {
  const makefile = path.join(source, 'Makefile');
  const rule = 'kernel: $(VDIR)/kernel.elf\n';
  const text = readFileSync(makefile, 'utf8');
  if (!text.includes(rule)) throw new Error(`${makefile}: no rule ${JSON.stringify(rule)}`);
  // A function, so that the line's $$ (make's escaped $) is not read as a replacement pattern.
  writeFileSync(
    makefile,
    text.replace(rule, () => `${rule}\t${line}\n`),
  );
}
