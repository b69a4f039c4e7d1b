/**
 * Generated git histories of the fixture course's kernel, for the bisect tests and benchmarks:
 * a good root, a culprit, a commit that does not build, a harmless kernel change, a racy commit,
 * and fillers, at positions a plan gives.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { COURSE_DIR } from '../../src/run/fixtures.js';

/** Positions (1 .. commits - 1) of the commits with a known effect in a generated history. */
export interface CourseHistoryPlan {
  /** Commits in all, the good root (index 0) and the bad head (commits - 1) included. */
  commits: number;
  /** Breaks alloc_distinct (the wrong-result bug) for good: the commit bisect must name. */
  culprit: number;
  /** Does not compile; the next commit repairs it. */
  broken: number;
  /** The staff-alt timing and memory layout: a different kernel that behaves the same. */
  harmless: number;
  /** A racy sleep (the flaky variant's bug); the next commit reverts it. */
  flaky?: number;
  /**
   * Written into the kernel's header as a comment: a history with a new salt has build contexts
   * no earlier run built, so its builds are really built (tests and benchmarks use one each run).
   */
  salt?: string;
  /** `harness.repeat` of the history's config (default 1). */
  repeat?: number;
}

export interface CourseHistory {
  /** The repository; diverge.yml at its top, the kernel's build context in kernel/. */
  dir: string;
  config: string;
  /** Every commit, oldest first: index i is the commit a plan position i names. */
  shas: string[];
}

const HISTORY_DATE = Date.UTC(2026, 0, 1);

/** The course kernel's config for a generated history (the harness file is the caller's). */
export const historyConfig = (harness: string, repeat = 1) =>
  [
    '# A generated history of the course kernel (see courseHistory in test/helpers/course-history.ts).',
    'kernel:',
    '  build: { context: kernel, dockerfile: Dockerfile, target: kernel }',
    '  path: /out/kernel.elf',
    'machine: { arch: x86_64, profile: pc, memory: 64M, cpus: 1, exit: isa-debug-exit, append: "" }',
    'harness:',
    `  initrd: ${JSON.stringify(harness)}`,
    '  results: { format: ktap, channel: console }',
    // A staff boot takes 0.3 s; the margins are for a machine loaded with parallel builds.
    '  timeouts: { boot: 20s, stall: 10s, total: 60s }',
    `  repeat: ${repeat}`,
    // A racy commit fails sleep_ticks about every other boot: 9 more boots of a commit that
    // diverged make the chance that every boot of it fails, and it is blamed, 1 in 2^(repeat + 9).
    '  rerun-divergent: 9',
    '',
  ].join('\n');

/**
 * Generates a git repository of the course kernel with `plan.commits` commits: the good root, a
 * culprit, a commit that does not build (repaired by the next), a harmless kernel change,
 * optionally a racy commit (reverted by the next), and filler commits between them, most of which
 * touch only NOTES.md (outside the build context, so their kernel is reused, not rebuilt) and
 * every third of which edits a comment in the kernel (rebuilt, same behaviour). Dates and authors
 * are fixed, so the same plan gives the same history.
 */
export function courseHistory(
  dir: string,
  plan: CourseHistoryPlan,
  harness: string,
): CourseHistory {
  const { commits, culprit, broken, harmless, flaky } = plan;
  const special = [culprit, broken, broken + 1, harmless, ...(flaky ? [flaky, flaky + 1] : [])];
  if (special.some((i) => i < 1 || i >= commits) || new Set(special).size !== special.length)
    throw new Error(
      `courseHistory: overlapping or out-of-range positions in ${JSON.stringify(plan)}`,
    );
  const git = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    execFileSync('git', ['-C', dir, ...args], {
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_CONFIG_NOSYSTEM: '1',
        ...env,
      },
    }).trim();
  mkdirSync(dir, { recursive: true });
  cpSync(COURSE_DIR, path.join(dir, 'kernel'), {
    recursive: true,
    filter: (source) => !source.startsWith(path.join(COURSE_DIR, 'out')),
  });
  writeFileSync(path.join(dir, 'diverge.yml'), historyConfig(harness, plan.repeat));
  writeFileSync(path.join(dir, '.gitignore'), '*.bin\nout/\n');
  const header = path.join(dir, 'kernel', 'kernel', 'kernel.h');
  const mainFile = path.join(dir, 'kernel', 'kernel', 'main.c');
  const consoleFile = path.join(dir, 'kernel', 'kernel', 'console.c');
  const [headerText, mainText, consoleText] = [header, mainFile, consoleFile].map((f) =>
    readFileSync(f, 'utf8'),
  ) as [string, string, string];
  git(['init', '-q', '-b', 'main']);
  const shas: string[] = [];
  let comments = 0;
  for (let i = 0; i < commits; i++) {
    let subject = i === 0 ? 'course kernel: first import' : `notes: entry ${i}`;
    let text = plan.salt ? `/* history ${plan.salt} */\n${headerText}` : headerText;
    const enable = (variant: string, why: string) => {
      text = text.replace(`#if defined(VARIANT_${variant})`, `#if 1 /* ${why} */`);
    };
    if (i >= harmless) enable('staff_alt', 'faster clock, heap and stacks elsewhere');
    if (i >= culprit) enable('wrong_result', 'alloc: skip the rounding up');
    if (flaky !== undefined && i === flaky) enable('flaky', 'sleep: wake from the tick handler');
    writeFileSync(header, text);
    writeFileSync(
      mainFile,
      i === broken ? `${mainText}\nstatic int line_editor = ; /* work in progress */\n` : mainText,
    );
    if (i === culprit) subject = 'alloc: skip the rounding up of block sizes';
    else if (i === harmless) subject = 'timer: 250 Hz; heap and stacks move up';
    else if (i === broken) subject = 'console: start a line editor (wip)';
    else if (i === broken + 1) subject = 'console: drop the unfinished line editor';
    else if (flaky !== undefined && i === flaky)
      subject = 'sleep: wake sleepers from the tick handler';
    else if (flaky !== undefined && i === flaky + 1)
      subject = 'Revert "sleep: wake sleepers from the tick handler"';
    else if (i > 0 && i % 3 === 0) {
      comments++;
      subject = `console: comment ${comments}`;
    }
    writeFileSync(
      consoleFile,
      consoleText + Array.from({ length: comments }, (_, n) => `/* note ${n + 1} */\n`).join(''),
    );
    writeFileSync(path.join(dir, 'NOTES.md'), `# Notes\n\nentry ${i}\n`);
    git(['add', '-A']);
    const date = new Date(HISTORY_DATE + i * 3_600_000).toISOString();
    git(['commit', '-q', '-m', subject], {
      GIT_AUTHOR_NAME: 'Course Staff',
      GIT_AUTHOR_EMAIL: 'staff@example.org',
      GIT_COMMITTER_NAME: 'Course Staff',
      GIT_COMMITTER_EMAIL: 'staff@example.org',
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_DATE: date,
    });
    shas.push(git(['rev-parse', 'HEAD']));
  }
  return { dir, config: path.join(dir, 'diverge.yml'), shas };
}
