/** `diverge grade`: every submission of a course judged and scored; a gradebook. */
import path from 'node:path';
import type { Command } from 'commander';
import { variantOf } from '../docker/kernel.js';
import type { GitHub } from '../github/client.js';
import { githubFromEnvironment } from '../github/environment.js';
import { submissionEntry, submissionsFromGitHub } from '../grade/github-submissions.js';
import { GradebookError } from '../grade/gradebook.js';
import { GradeProgress } from '../grade/progress.js';
import { GRADEBOOK_FILES } from '../grade/store.js';
import { renderGradebookText } from '../grade/render.js';
import { RubricError } from '../grade/rubric.js';
import { listSubmissions, parseShard, shardSize, SubmissionError } from '../grade/submissions.js';
import { EXIT } from '../model/constants.js';
import type { KernelInput } from '../session/boots.js';
import { gradeCourse } from '../run/grade.js';
import { action, type Cli, withExamples, withOutputOptions } from './command.js';
import { checkGradeInputs } from './inputs.js';
import {
  configOption,
  JUDGE_INPUT_ERRORS,
  jobsOption,
  kernelOption,
  observationCacheOption,
  referenceOption,
  settingsFor,
  takeOut,
  UsageError,
} from './options.js';
import { DEFAULT_OUT } from '../util/out-dir.js';

interface GradeOptions {
  config?: string;
  submissions?: string;
  submission?: KernelInput[];
  reference?: KernelInput[];
  list?: string;
  githubOrg?: string;
  repoPrefix?: string;
  /** With --github-org: every repository built, published kernels ignored. */
  sourcesOnly?: boolean;
  out: string;
  jobs?: number;
  shard?: string;
  variant?: string;
  observationCache: boolean;
}

/** The submissions of a GitHub Classroom assignment as NAME=PATH entries, problems logged. */
async function githubSubmissions(
  cli: Cli,
  github: GitHub,
  options: Parameters<typeof submissionsFromGitHub>[1],
): Promise<{ name: string; path: string }[]> {
  const found = await submissionsFromGitHub(github, options);
  for (const s of found) if (s.error) cli.log(`submission ${s.name}: ${s.error}`);
  return found.map((s) => submissionEntry(s, options.dir));
}

export function register(program: Command, cli: Cli): Command {
  const command = program
    .command('grade')
    // `grade merge … --out` is merge's option, not grade's.
    .enablePositionalOptions()
    .description(
      'grade every submission of a course against the references (observed once): a score per student under the rubric, and a gradebook',
    )
    .addOption(configOption())
    .option(
      '--submissions <dir>',
      'every entry is a submission named by the entry: a file is a kernel, a directory is built with kernel.build',
    )
    .option('--submission <name=path>', 'one more submission (repeatable)', kernelOption)
    .option('--list <file>', 'a file of NAME=PATH (or PATH) lines, paths relative to it')
    .option(
      '--github-org <org>',
      "the org's repositories named PREFIX<student> (GitHub Classroom): each one's published kernel, else its default branch built (needs GITHUB_TOKEN)",
    )
    .option('--repo-prefix <prefix>', 'with --github-org: the assignment prefix, e.g. lab1-')
    .option(
      '--sources-only',
      "with --github-org: build every repository's default branch, ignoring kernels their own workflows published (a student's workflow can publish any file)",
    )
    .addOption(referenceOption())
    .option(
      '-o, --out <dir>',
      'output directory (a re-run with the same one resumes)',
      DEFAULT_OUT.grade,
    )
    .addOption(jobsOption('builds and boots at once (default: from cores and memory)'))
    .option('--shard <i/n>', 'grade only the I-th of N shares of the submissions (1-based)')
    .option('--variant <name>', 'the VARIANT build argument of every build (default: as for run)')
    .addOption(observationCacheOption());
  withOutputOptions(command).action(
    action(
      cli,
      [...JUDGE_INPUT_ERRORS, UsageError, SubmissionError, GradebookError, RubricError],
      async (options: GradeOptions) => {
        if (!options.submissions && !options.submission && !options.list && !options.githubOrg)
          throw new UsageError(
            'grade: give --submissions DIR, --submission NAME=PATH, --list FILE or --github-org ORG --repo-prefix PREFIX',
          );
        if ((options.githubOrg === undefined) !== (options.repoPrefix === undefined))
          throw new UsageError('grade: --github-org and --repo-prefix go together');
        const settings = await settingsFor(options.config, cli.cwd);
        const shard = options.shard === undefined ? undefined : parseShard(options.shard);
        const variant = variantOf(settings, options.variant);
        const { github, run } = githubFromEnvironment(cli.env, { variant }, cli.log);
        const local = {
          ...(options.submissions ? { dir: path.resolve(options.submissions) } : {}),
          ...(options.list ? { list: path.resolve(options.list) } : {}),
        };
        // Checked before --out is taken; GitHub's submissions are cloned into it, after.
        if (options.githubOrg && !github)
          throw new UsageError(
            'grade: --github-org needs GITHUB_TOKEN (and GITHUB_API_URL for GHES)',
          );
        await checkGradeInputs(settings, options.reference);
        await listSubmissions({ ...local, named: options.submission ?? [] });
        const outDir = await takeOut(options.out, cli.log);
        const fromGitHub =
          options.githubOrg && github
            ? await githubSubmissions(cli, github, {
                org: options.githubOrg,
                prefix: options.repoPrefix as string,
                variant,
                artifacts: !options.sourcesOnly,
                dir: path.join(outDir, 'submissions'),
                progress: cli.log,
              })
            : [];
        const submissions = await listSubmissions({
          ...local,
          named: [...(options.submission ?? []), ...fromGitHub],
        });
        const progress = new GradeProgress(
          shard ? shardSize(submissions.length, shard) : submissions.length,
          {
            tty: Boolean(process.stderr.isTTY),
            write: (text) => void (cli.quiet || process.stderr.write(text)),
            now: () => cli.context.clock.now(),
          },
        );
        const gradebook = await gradeCourse(cli.context, settings, submissions, {
          outDir,
          docker: cli.docker,
          variant,
          progress,
          observationCache: options.observationCache,
          ...(shard ? { shard } : {}),
          ...(options.jobs ? { jobs: options.jobs } : {}),
          ...(github ? { github } : {}),
          ...(options.reference ? { references: options.reference } : {}),
          run,
        }).finally(() => progress.done());
        const neutral = gradebook.students.filter((s) => s.conclusion === 'neutral').length;
        const [json, ...others] = GRADEBOOK_FILES;
        cli.log(
          `gradebook: ${path.join(outDir, json ?? '')}, ${others.slice(0, -1).join(', ')} and ${others.at(-1)}; each student's report in ${path.join(outDir, 'students')}` +
            (neutral
              ? `; ${neutral} student(s) not graded (infrastructure): run again with the same --out`
              : ''),
        );
        return {
          exitCode: neutral > 0 ? EXIT.infrastructure : EXIT.ok,
          text: renderGradebookText(gradebook),
          summary: {
            students: gradebook.students.map((s) => ({
              name: s.name,
              score: s.score,
              max: s.max,
              conclusion: s.conclusion,
              ...(s.reason === undefined ? {} : { reason: s.reason }),
            })),
            notGraded: neutral,
            tests: gradebook.tests.length,
            files: {
              gradebook: path.join(outDir, 'gradebook.json'),
              csv: path.join(outDir, 'gradebook.csv'),
              markdown: path.join(outDir, 'gradebook.md'),
              html: path.join(outDir, 'gradebook.html'),
              students: path.join(outDir, 'students'),
            },
          },
        };
      },
    ),
  );
  return withExamples(command, [
    [
      'diverge grade -c diverge.yml --submissions submissions/ -o grades/',
      'each entry of submissions/ a student (a file a kernel, a directory built); gradebook in grades/',
    ],
    [
      'diverge grade --github-org cs-course --repo-prefix lab1- -j 4',
      "GitHub Classroom's lab1-<student> repositories (needs GITHUB_TOKEN)",
    ],
    [
      'diverge grade --list class.txt --shard 2/4 -o shard-2',
      'the second of four shares of the class; `diverge grade merge` joins the shards',
    ],
  ]);
}
