/**
 * A course of any size for `diverge grade` tests and benchmarks: N seeded student submissions
 * made from the fixture course's kernel source, each with the bug of one of its variants (or a
 * compile error, or a Makefile that leaves no kernel), a diverge.yml that grades them against
 * the staff kernels with the staff's Dockerfile, and the truth: every student's intended
 * classes and score under that config's rubric.
 */
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DivergenceClass } from '../../src/model/classes.js';
import { COURSE_DIR, courseTruth } from '../../src/run/fixtures.js';

/** What a generated submission is: a variant's bug, or a way of not building. */
export const SUBMISSION_KINDS = [
  'correct',
  'correct-own-dockerfile',
  'wrong-result',
  'changed-output',
  'panic',
  'hang',
  'missing-test',
  'extra',
  'compile-error',
  'no-kernel',
] as const;
export type SubmissionKind = (typeof SUBMISSION_KINDS)[number];

/**
 * The rubric the generated config grades with, and the truth is computed from (by hand here,
 * not by diverge's rubric code): alloc tests are worth 2 points, the others 1; same, fix and
 * expected earn all, flaky half, the rest nothing.
 */
const ALLOC_POINTS = 2;
const pointsOf = (test: string) => (test.startsWith('alloc_') ? ALLOC_POINTS : 1);
const EARNS: Partial<Record<DivergenceClass, number>> = {
  same: 1,
  fix: 1,
  expected: 1,
  flaky: 0.5,
};

export interface StudentTruth {
  kind: SubmissionKind;
  /** Whether the submission builds into a kernel. */
  builds: boolean;
  /** Every test's intended class; empty when it does not build. */
  classes: Record<string, DivergenceClass>;
  score: number;
  max: number;
}

export interface GeneratedCourse {
  /** The submissions directory: one subdirectory per student. */
  submissions: string;
  config: string;
  students: Record<string, StudentTruth>;
}

/** mulberry32: a small seeded generator, the same sequence on every machine. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The kernel source a student hands in: the course without the staff's build files. */
const STUDENT_FILES = ['Makefile', 'include', 'common', 'kernel', 'harness'];

/** Turns on a variant's bug where kernel.h selects it, whatever VARIANT the build passes. */
const withBug = (header: string, variant: string) =>
  header.replace(
    '#if defined(VARIANT_staff_alt)',
    `#define VARIANT_${variant.replace(/-/g, '_')} 1 /* the student's bug */\n#if defined(VARIANT_staff_alt)`,
  );

export interface GenerateOptions {
  count: number;
  seed: number;
  /** Kinds to draw from, equally likely (default: every kind). */
  kinds?: readonly SubmissionKind[];
  /** The staff kernels and harness the config names (built by the caller). */
  references: { staff: string; staffAlt: string; harness: string };
  /**
   * Written, with the student's name, into a comment of each student's kernel source: every
   * source differs, so every submission is compiled (no two share a build, and a generation with
   * another mark shares none with this one), into the same kernel as its kind's.
   */
  unique?: string;
  /** Boots of each kernel, and extra boots after a divergence (the config's harness fields). */
  repeat?: number;
  rerunDivergent?: number;
  /**
   * How the config builds a submission: the staff's Dockerfile (`kernel.build`, the default), or
   * `command`: `make kernel` in its toolchain stage (`grading.build`), over the same files the
   * Dockerfile copies in, so both give every kind the same kernel.
   */
  build?: 'dockerfile' | 'command';
}

/** grading.build for the fixture course: the kernel-build stage's step, in its toolchain stage. */
export const COURSE_COMMAND_BUILD = [
  '  build:',
  '    stage: toolchain',
  '    copy: [Makefile, include, common, kernel]',
  '    run: make kernel VARIANT="$VARIANT"',
  '    path: out/kernel.elf',
];

export async function generateCourse(
  dir: string,
  options: GenerateOptions,
): Promise<GeneratedCourse> {
  const truth = await courseTruth();
  const kinds = options.kinds ?? SUBMISSION_KINDS;
  const random = seeded(options.seed);
  const submissions = path.join(dir, 'submissions');
  const header = await readFile(path.join(COURSE_DIR, 'kernel', 'kernel.h'), 'utf8');
  const makefile = await readFile(path.join(COURSE_DIR, 'Makefile'), 'utf8');
  const main = await readFile(path.join(COURSE_DIR, 'kernel', 'main.c'), 'utf8');
  const max = truth.tests.reduce((sum, t) => sum + pointsOf(t), 0);
  const students: Record<string, StudentTruth> = {};
  const width = String(options.count).length;

  for (let i = 0; i < options.count; i++) {
    const kind = kinds[Math.floor(random() * kinds.length)] as SubmissionKind;
    const name = `student-${String(i + 1).padStart(width, '0')}`;
    const source = path.join(submissions, name);
    await mkdir(source, { recursive: true });
    for (const file of STUDENT_FILES)
      await cp(path.join(COURSE_DIR, file), path.join(source, file), {
        recursive: true,
        filter: (from) => !from.split(path.sep).includes('out'),
      });
    const write = (file: string, text: string) => writeFile(path.join(source, file), text);
    if (kind in truth.variants) await write('kernel/kernel.h', withBug(header, kind));
    if (kind === 'correct-own-dockerfile')
      await write('Dockerfile', 'FROM no-such-image-the-staff-recipe-replaces-this\n');
    if (kind === 'compile-error')
      await write(
        'kernel/main.c',
        main.replace(/\n}\n/, '\n  return 0 /* a forgotten semicolon */\n}\n'),
      );
    if (kind === 'no-kernel')
      await write(
        'Makefile',
        makefile.replace('cp $< $(OUT)/kernel.elf', 'cp $< $(OUT)/kernel.bin'),
      );
    if (options.unique !== undefined) {
      const file = path.join(source, 'kernel', 'main.c');
      await writeFile(file, `/* ${name} ${options.unique} */\n${await readFile(file, 'utf8')}`);
    }

    const builds = kind !== 'compile-error' && kind !== 'no-kernel';
    const classes: Record<string, DivergenceClass> = {};
    if (builds) {
      for (const test of truth.tests) classes[test] = 'same';
      for (const [cls, tests] of Object.entries(truth.variants[kind] ?? {}))
        for (const test of tests ?? []) classes[test] = cls as DivergenceClass;
    }
    const score = Object.entries(classes).reduce(
      (sum, [test, cls]) => sum + (cls === 'new' ? 0 : pointsOf(test) * (EARNS[cls] ?? 0)),
      0,
    );
    students[name] = { kind, builds, classes, score, max };
  }

  const config = path.join(dir, 'diverge.yml');
  await writeFile(
    config,
    [
      '# written by the course generator (test/helpers/course-submissions.ts)',
      'kernel:',
      `  build: { context: ${JSON.stringify(COURSE_DIR)}, dockerfile: Dockerfile, target: kernel, args: { VARIANT: staff } }`,
      '  path: /out/kernel.elf',
      'references:',
      `  - { name: staff, file: ${JSON.stringify(options.references.staff)} }`,
      `  - { name: staff-alt, file: ${JSON.stringify(options.references.staffAlt)} }`,
      "machine: { arch: x86_64, profile: pc, memory: 64M, cpus: 1, exit: isa-debug-exit, append: '' }",
      'harness:',
      `  initrd: ${JSON.stringify(options.references.harness)}`,
      '  results: { format: ktap, channel: console }',
      '  timeouts: { boot: 10s, stall: 3s, total: 30s }',
      `  repeat: ${options.repeat ?? 1}`,
      `  rerun-divergent: ${options.rerunDivergent ?? 1}`,
      'grading:',
      `  points: [{ test: "alloc_*", points: ${ALLOC_POINTS} }]`,
      '  default-points: 1',
      ...(options.build === 'command' ? COURSE_COMMAND_BUILD : []),
      '',
    ].join('\n'),
  );
  await writeFile(
    path.join(dir, 'truth.json'),
    `${JSON.stringify({ seed: options.seed, students }, null, 2)}\n`,
  );
  return { submissions, config, students };
}
