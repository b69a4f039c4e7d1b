import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, defaultSettings, loadConfig } from '../config/load.js';
import type { Settings } from '../config/settings.js';
import { type DivergenceClass, FAIL_ON_CLASSES, isDivergence } from '../model/classes.js';
import { updateExpectations } from '../compare/expectations.js';
import { runCourseDemo, runLinuxDemo } from '../run/demo.js';
import { doctor, doctorExitCode, renderFindings } from '../doctor/doctor.js';
import { renderMatrixText } from '../render/matrix.js';
import { compareSaved, runDifferential } from '../run/candidate.js';
import { resolveKernels } from '../references/resolve.js';
import { readBootLogs, renderHtml } from '../render/html.js';
import { renderMarkdown } from '../render/markdown.js';
import { renderJunit } from '../render/junit.js';
import { gradescopeResults } from '../grade/formats.js';
import { scoreReport } from '../grade/rubric.js';
import { renderTerminal } from '../render/terminal.js';
import type { Report } from '../model/report.js';
import { ReportError, validateReport } from '../report/validate.js';
import { HarnessError } from '../harness/errors.js';
import { bootKernels, type KernelInput } from '../session/boots.js';
import { KernelFileError } from '../qemu/kernel-image.js';
import { NotRegularFileError } from '../util/digest.js';
import { EXIT, TOOL_VERSION } from '../model/constants.js';
import { createRunContext } from '../context.js';
import { useProxy } from '../util/proxy.js';
import { dockerAccess } from '../docker/docker.js';
import { BuildError } from '../docker/errors.js';
import { variantOf } from '../docker/kernel.js';
import { githubFromEnvironment } from '../github/environment.js';
import type { GitHub } from '../github/client.js';
import { submissionsFromGitHub } from '../grade/github-submissions.js';
import { ReferenceFetchError } from '../references/sources/index.js';
import { BisectInputError } from '../bisect/history.js';
import { runBisect } from '../run/bisect.js';
import { SavedRunError } from '../session/saved-run.js';
import { resultText } from '../bisect/render.js';
import { GradebookError } from '../grade/gradebook.js';
import { mergeShards } from '../grade/merge.js';
import { GradeProgress } from '../grade/progress.js';
import { renderGradebookText } from '../grade/render.js';
import { listSubmissions, parseShard, SubmissionError } from '../grade/submissions.js';
import { gradeCourse } from '../run/grade.js';
import { claimOutDir, clearEarlierRun } from '../util/out-dir.js';
import { refusalMessage, writeOutput } from '../util/storage.js';

const log = (line: string) => process.stderr.write(`[diverge] ${line}\n`);
/** Read from the environment once; its process registry lets an interrupted CLI stop every QEMU. */
const context = createRunContext(process.env);
useProxy(context.proxy, { info: log, warning: (line) => log(`warning: ${line}`) });

function kernelOption(value: string, previous: KernelInput[] = []): KernelInput[] {
  const at = value.indexOf('=');
  if (at <= 0 || at === value.length - 1)
    throw new InvalidArgumentError(`expected NAME=PATH, got "${value}"`);
  return [...previous, { name: value.slice(0, at), path: path.resolve(value.slice(at + 1)) }];
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return n;
}

/** `--config` if given, else ./diverge.yml if present, else the defaults. */
export async function settingsFor(configOption: string | undefined): Promise<Settings> {
  if (configOption) return loadConfig(configOption);
  return existsSync('diverge.yml') ? loadConfig('diverge.yml') : defaultSettings(process.cwd());
}

class UsageError extends Error {}

/** Takes --out for this process (see util/out-dir.ts); `fresh`: without an earlier run's files. */
async function takeOut(dir: string, fresh = false): Promise<string> {
  const outDir = path.resolve(dir);
  await claimOutDir(outDir, log);
  if (fresh) await clearEarlierRun(outDir, log);
  return outDir;
}

/**
 * The submissions of a GitHub Classroom assignment as NAME=PATH entries: a published kernel, or
 * the repository's source to build; a repository that gave neither becomes a missing entry,
 * graded as a row saying so.
 */
async function githubSubmissions(
  github: GitHub | undefined,
  options: Parameters<typeof submissionsFromGitHub>[1],
): Promise<{ name: string; path: string }[]> {
  if (!github)
    throw new UsageError('grade: --github-org needs GITHUB_TOKEN (and GITHUB_API_URL for GHES)');
  const found = await submissionsFromGitHub(github, options);
  for (const s of found) if (s.error) log(`submission ${s.name}: ${s.error}`);
  return found.map((s) => ({
    name: s.name,
    path: s.kernel ?? s.context ?? path.join(options.dir, 'missing', s.name),
  }));
}

async function readReport(file: string): Promise<Report> {
  const text = await readFile(file, 'utf8').catch((error: Error) => {
    throw new UsageError(`${file}: cannot read report: ${error.message}`);
  });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file}: not JSON: ${(error as Error).message}`);
  }
  return validateReport(value, file);
}

const BAD_INPUT = [
  NotRegularFileError,
  ConfigError,
  KernelFileError,
  HarnessError,
  BuildError,
  ReferenceFetchError,
  UsageError,
  ReportError,
  BisectInputError,
  SubmissionError,
  GradebookError,
  SavedRunError,
];

/**
 * Maps an error to the documented exit code: 2 for bad input; 3 for the infrastructure (no
 * QEMU, broken KVM) and anything unexpected.
 */
function exitCodeFor(error: unknown): number {
  return BAD_INPUT.some((kind) => error instanceof kind) ? EXIT.usage : EXIT.infrastructure;
}

async function main(argv: string[]): Promise<number> {
  const program = new Command('diverge')
    .description('Differential testing of operating-system kernels under QEMU')
    .version(TOOL_VERSION)
    // A subcommand's options are its own (`grade merge --out` is not `grade --out`).
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });

  let code: number = EXIT.ok;
  // Connects on first use only: runs that boot files never need a Docker engine.
  const docker = dockerAccess(context.dockerHost, undefined, log, context.waits.dockerMs);
  program
    .command('boot')
    .description(
      "boot kernels with the shared harness and write each boot's observations and serial log",
    )
    .option('-c, --config <file>', 'diverge.yml to use (default: ./diverge.yml when present)')
    .requiredOption('-k, --kernel <name=path>', 'a kernel to boot (repeatable)', kernelOption)
    .option('-o, --out <dir>', 'output directory', 'diverge-out')
    .option('-j, --jobs <n>', 'boots at once (default: from cores and memory)', positiveInt)
    .action(
      async (options: { config?: string; kernel: KernelInput[]; out: string; jobs?: number }) => {
        const settings = await settingsFor(options.config);
        const outDir = await takeOut(options.out, true);
        const run = await bootKernels(context, settings, options.kernel, {
          outDir,
          docker,
          ...(options.jobs ? { jobs: options.jobs } : {}),
          progress: log,
        });
        await writeOutput(
          path.join(outDir, 'boots.json'),
          `${JSON.stringify(run, null, 2)}\n`,
          'the saved run',
        );
        log(`observations and logs in ${outDir}`);
      },
    );

  const divergenceExit = (report: Report) =>
    report.summary.conclusion === 'neutral'
      ? EXIT.infrastructure
      : report.summary.failing > 0
        ? EXIT.divergences
        : EXIT.ok;
  const show = (report: Report) =>
    process.stdout.write(renderTerminal(report, { color: Boolean(process.stdout.isTTY) }));

  program
    .command('run')
    .description(
      'boot the candidate and the references, judge every test, write report.json and report.md',
    )
    .option('-c, --config <file>', 'diverge.yml to use (default: ./diverge.yml when present)')
    .option(
      '--candidate <path>',
      "the candidate kernel (default: the config's kernel.build or kernel.file)",
    )
    .option(
      '-r, --reference <name=path>',
      "a reference kernel (repeatable; replaces the config's references)",
      kernelOption,
    )
    .option('-o, --out <dir>', 'output directory', 'diverge-out')
    .option(
      '--variant <name>',
      'the build variant: passed to kernel.build as the VARIANT build argument and shown in reports (default: that argument, else "default")',
    )
    .option('-j, --jobs <n>', 'boots at once (default: from cores and memory)', positiveInt)
    .option(
      '--repository <owner/name>',
      'repository of artifact and release references (default: GITHUB_REPOSITORY)',
    )
    .option(
      '--base-ref <branch>',
      'the pull request base branch, for base: true (default: GITHUB_BASE_REF)',
    )
    .option(
      '--base-sha <sha>',
      'the pull request base commit, for base: true (default: from the event)',
    )
    .option(
      '--no-observation-cache',
      'boot every reference even when an earlier run booted the same kernel the same way',
    )
    .option(
      '--gradescope <file>',
      "also write a Gradescope results.json scored by the config's grading rubric",
    )
    .option('--junit <file>', 'also write the verdicts as JUnit XML')
    .action(
      async (options: {
        config?: string;
        candidate?: string;
        reference?: KernelInput[];
        out: string;
        variant?: string;
        jobs?: number;
        repository?: string;
        baseRef?: string;
        baseSha?: string;
        observationCache: boolean;
        gradescope?: string;
        junit?: string;
      }) => {
        const settings = await settingsFor(options.config);
        const outDir = await takeOut(options.out, true);
        const variant = variantOf(settings, options.variant, options.candidate);
        // GITHUB_TOKEN (and GITHUB_API_URL) let a local run fetch artifacts and releases too.
        const { github, run } = githubFromEnvironment(
          process.env,
          {
            variant,
            ...(options.repository ? { repository: options.repository } : {}),
            ...(options.baseRef ? { baseRef: options.baseRef } : {}),
            ...(options.baseSha ? { baseSha: options.baseSha } : {}),
          },
          log,
        );
        const kernels = await resolveKernels(
          settings,
          {
            ...(options.candidate ? { candidate: path.resolve(options.candidate) } : {}),
            ...(options.reference ? { references: options.reference } : {}),
          },
          {
            docker,
            variant,
            outDir,
            progress: log,
            run,
            cache: context.cache,
            waits: context.waits,
            ...(github ? { github } : {}),
          },
        );
        const report = await runDifferential(context, settings, kernels, {
          outDir,
          docker,
          variant,
          observationCache: options.observationCache,
          progress: log,
          ...(options.jobs ? { jobs: options.jobs } : {}),
        });
        show(report);
        log(
          `report: ${path.join(outDir, 'report.html')}, report.json and report.md; serial logs in ${path.join(outDir, 'logs')}`,
        );
        if (options.junit) await writeFile(path.resolve(options.junit), renderJunit(report));
        if (options.gradescope) {
          const results = gradescopeResults(report, scoreReport(report, settings.grading));
          await writeFile(
            path.resolve(options.gradescope),
            `${JSON.stringify(results, null, 2)}\n`,
          );
        }
        code = divergenceExit(report);
      },
    );

  program
    .command('compare')
    .description(
      'judge a saved run again (after changing the config or expectations) without booting',
    )
    .requiredOption(
      '--from <dir>',
      'output directory of an earlier `diverge run` or `diverge boot`',
    )
    .option('-c, --config <file>', 'diverge.yml to use (default: ./diverge.yml when present)')
    .option(
      '--candidate <name>',
      'which saved kernel is the candidate (default: as saved by run, else "candidate")',
    )
    .option('-o, --out <dir>', 'where to write the new report (default: the --from directory)')
    .option('--variant <name>', 'name of this build variant (default: as for run)')
    .action(
      async (options: {
        from: string;
        config?: string;
        candidate?: string;
        out?: string;
        variant?: string;
      }) => {
        const settings = await settingsFor(options.config);
        const outDir = await takeOut(options.out ?? options.from);
        const report = await compareSaved(context, settings, path.resolve(options.from), {
          outDir,
          variant: variantOf(settings, options.variant),
          progress: log,
          ...(options.candidate ? { candidate: options.candidate } : {}),
        });
        show(report);
        code = divergenceExit(report);
      },
    );

  program
    .command('report')
    .description('render a report.json for people')
    .argument('<report.json>', 'a report written by diverge run or compare')
    .option('-f, --format <format>', 'terminal | markdown | html | json', 'terminal')
    .option('--budget <bytes>', 'most bytes of Markdown (default 60000)', positiveInt)
    .action(async (file: string, options: { format: string; budget?: number }) => {
      const report = await readReport(file);
      if (options.format === 'markdown') {
        process.stdout.write(
          renderMarkdown(report, {
            ...(options.budget ? { budgetBytes: options.budget } : {}),
            reportUrl: file,
          }),
        );
      } else if (options.format === 'html') {
        // Serial logs are read beside the report, where boots[].log points.
        const logs = await readBootLogs(report, path.dirname(path.resolve(file)));
        process.stdout.write(renderHtml(report, logs));
      } else if (options.format === 'json') {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      } else if (options.format === 'terminal') {
        show(report);
      } else {
        throw new UsageError(
          `--format: expected terminal, markdown, html or json, got "${options.format}"`,
        );
      }
    });

  program
    .command('expectations')
    .description('manage the expectations file')
    .command('update')
    .description("write a report's divergences into the expectations file as accepted")
    .requiredOption('--report <file>', 'report.json to take the divergences from')
    .option('-c, --config <file>', 'diverge.yml whose expectations file to update')
    .option(
      '--file <path>',
      'expectations file (default: from the config, .github/diverge-expectations.yml)',
    )
    .action(async (options: { report: string; config?: string; file?: string }) => {
      const settings = await settingsFor(options.config);
      const report = await readReport(options.report);
      const file = path.resolve(options.file ?? settings.expectations);
      const divergences = report.tests
        .filter((t) => isDivergence(t.verdict))
        .map((t) => ({
          test: t.id,
          class: t.verdict.class,
          candidateStatus: t.observations[report.candidate.name]?.[0]?.status ?? 'missing',
        }));
      const result = await updateExpectations(file, divergences, {
        arch: report.machine.arch,
        variant: report.variant,
        today: context.clock.today(),
      });
      log(`${file}: ${result.added} expectation(s) added, ${result.kept} kept`);
    });

  program
    .command('doctor')
    .description(
      'check what a run needs on this host (QEMU, KVM, Docker, Node, disk, memory), each problem with its fix',
    )
    .option('-c, --config <file>', 'diverge.yml to use (default: ./diverge.yml when present)')
    .action(async (options: { config?: string }) => {
      const findings = await doctor(context, await settingsFor(options.config), docker);
      process.stdout.write(`${renderFindings(findings)}\n`);
      code = doctorExitCode(findings);
    });

  program
    .command('demo')
    .description(
      'build the fixture course (a teaching kernel and its student variants) in Docker and judge every variant against the staff kernels',
    )
    .option('-o, --out <dir>', 'output directory', 'diverge-demo')
    .option('--variant <names...>', 'judge only these variants (default: all)')
    .option(
      '--linux',
      'instead, judge Debian Linux 6.12 against two 6.1 builds with the Linux fixture harness',
    )
    .option('-j, --jobs <n>', 'boots at once (default: from cores and memory)', positiveInt)
    .action(
      async (options: { out: string; variant?: string[]; linux?: boolean; jobs?: number }) => {
        const outDir = await takeOut(options.out);
        if (options.linux) {
          code = await runLinuxDemo(context, outDir, log);
          return;
        }
        const started = context.clock.now();
        const rows = await runCourseDemo(context, outDir, {
          docker,
          log,
          ...(options.variant ? { variants: options.variant } : {}),
          ...(options.jobs ? { jobs: options.jobs } : {}),
        });
        process.stdout.write(`\n${renderMatrixText(rows, 'as intended')}`);
        for (const row of rows)
          for (const problem of row.unintended) log(`${row.variant}: ${problem}`);
        log(
          `reports: ${outDir}/<variant>/report.html, report.json and report.md, serial logs in ${outDir}/<variant>/logs; overview in ${path.join(outDir, 'overview.html')}, table in ${path.join(outDir, 'summary.md')} (${((context.clock.now() - started) / 1000).toFixed(0)} s)`,
        );
        code = rows.some((row) => row.report.summary.conclusion === 'neutral')
          ? EXIT.infrastructure
          : rows.some((row) => row.unintended.length > 0)
            ? EXIT.divergences
            : EXIT.ok;
      },
    );

  program
    .command('bisect')
    .description(
      "find the first commit between --good and --bad whose kernel diverges from the references (run in kernel.build.context's git repository); writes bisect.json and bisect.md",
    )
    .option('-c, --config <file>', 'diverge.yml to use (default: ./diverge.yml when present)')
    .requiredOption('--good <rev>', 'a commit whose kernel behaves')
    .requiredOption('--bad <rev>', 'a later commit whose kernel diverges')
    .option(
      '-t, --test <glob>',
      'only these tests decide (repeatable; default every test)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option(
      '--class <class>',
      `classes that make a commit bad (repeatable; default the config's fail-on; one of ${FAIL_ON_CLASSES.join(', ')})`,
      (value: string, previous: DivergenceClass[] = []) => {
        if (!(FAIL_ON_CLASSES as readonly string[]).includes(value))
          throw new InvalidArgumentError(
            `expected one of ${FAIL_ON_CLASSES.join(', ')}, got "${value}"`,
          );
        return [...previous, value as DivergenceClass];
      },
    )
    .option('--first-parent', 'follow only the first parent of merges')
    .option('--no-good-reference', "do not add the good commit's kernel to the references")
    .option('-j, --jobs <n>', 'commits tested at once in a round (default: the cores)', positiveInt)
    .option('-o, --out <dir>', 'output directory', 'diverge-bisect')
    .action(
      async (options: {
        config?: string;
        good: string;
        bad: string;
        test?: string[];
        class?: DivergenceClass[];
        firstParent?: boolean;
        goodReference: boolean;
        jobs?: number;
        out: string;
      }) => {
        const settings = await settingsFor(options.config);
        const outDir = await takeOut(options.out);
        const { github, run } = githubFromEnvironment(
          process.env,
          { variant: variantOf(settings, undefined) },
          log,
        );
        const bisect = await runBisect(context, settings, {
          good: options.good,
          bad: options.bad,
          tests: options.test ?? [],
          ...(options.class ? { classes: options.class } : {}),
          firstParent: Boolean(options.firstParent),
          goodReference: options.goodReference,
          ...(options.jobs ? { jobs: options.jobs } : {}),
          outDir,
          docker,
          progress: log,
          run,
          ...(github ? { github } : {}),
        });
        process.stdout.write(resultText(bisect));
        log(
          `bisect: ${path.join(outDir, 'bisect.json')} and bisect.md; step reports in ${path.join(outDir, 'steps')}`,
        );
        code = bisect.outcome === 'culprit' ? EXIT.ok : EXIT.usage;
      },
    );
  const grade = program
    .command('grade')
    // `grade merge … --out` is merge's option, not grade's.
    .enablePositionalOptions()
    .description(
      'grade every submission of a course against the references (observed once): a score per student under the rubric, and a gradebook',
    )
    .option('-c, --config <file>', 'diverge.yml to use (default: ./diverge.yml when present)')
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
      '-o, --out <dir>',
      'output directory (a re-run with the same one resumes)',
      'diverge-grade',
    )
    .option(
      '-j, --jobs <n>',
      'builds and boots at once (default: from cores and memory)',
      positiveInt,
    )
    .option('--shard <i/n>', 'grade only the I-th of N shares of the submissions (1-based)')
    .option('--variant <name>', 'the VARIANT build argument of every build (default: as for run)')
    .option(
      '--no-observation-cache',
      'boot every reference even when an earlier run booted the same kernel the same way',
    )
    .action(
      async (options: {
        config?: string;
        submissions?: string;
        submission?: KernelInput[];
        list?: string;
        githubOrg?: string;
        repoPrefix?: string;
        out: string;
        jobs?: number;
        shard?: string;
        variant?: string;
        observationCache: boolean;
      }) => {
        if (!options.submissions && !options.submission && !options.list && !options.githubOrg)
          throw new UsageError(
            'grade: give --submissions DIR, --submission NAME=PATH, --list FILE or --github-org ORG --repo-prefix PREFIX',
          );
        if ((options.githubOrg === undefined) !== (options.repoPrefix === undefined))
          throw new UsageError('grade: --github-org and --repo-prefix go together');
        const settings = await settingsFor(options.config);
        const shard = options.shard === undefined ? undefined : parseShard(options.shard);
        const variant = variantOf(settings, options.variant);
        const { github, run } = githubFromEnvironment(process.env, { variant }, log);
        const outDir = await takeOut(options.out);
        const fromGitHub = options.githubOrg
          ? await githubSubmissions(github, {
              org: options.githubOrg,
              prefix: options.repoPrefix as string,
              variant,
              dir: path.join(outDir, 'submissions'),
              progress: log,
            })
          : [];
        const submissions = await listSubmissions({
          ...(options.submissions ? { dir: path.resolve(options.submissions) } : {}),
          named: [...(options.submission ?? []), ...fromGitHub],
          ...(options.list ? { list: path.resolve(options.list) } : {}),
        });
        const progress = new GradeProgress(
          shard
            ? Math.ceil((submissions.length - shard.index + 1) / shard.count)
            : submissions.length,
          {
            tty: Boolean(process.stderr.isTTY),
            write: (text) => process.stderr.write(text),
            now: () => context.clock.now(),
          },
        );
        const gradebook = await gradeCourse(context, settings, submissions, {
          outDir,
          docker,
          variant,
          progress,
          observationCache: options.observationCache,
          ...(shard ? { shard } : {}),
          ...(options.jobs ? { jobs: options.jobs } : {}),
          ...(github ? { github } : {}),
          run,
        }).finally(() => progress.done());
        process.stdout.write(renderGradebookText(gradebook));
        const neutral = gradebook.students.filter((s) => s.conclusion === 'neutral').length;
        log(
          `gradebook: ${path.join(outDir, 'gradebook.json')}, gradebook.csv and gradebook.md; each student's report in ${path.join(outDir, 'students')}` +
            (neutral
              ? `; ${neutral} student(s) not graded (infrastructure): run again with the same --out`
              : ''),
        );
        code = neutral > 0 ? EXIT.infrastructure : EXIT.ok;
      },
    );
  grade
    .command('merge')
    .description('merge the gradebooks of shards (--shard I/N runs of one grading) into one')
    .argument('<dirs...>', 'output directories of the shards')
    .requiredOption('-o, --out <dir>', 'where to write the merged gradebook')
    .action(async (dirs: string[], options: { out: string }) => {
      const outDir = path.resolve(options.out);
      const gradebook = await mergeShards(
        dirs.map((d) => path.resolve(d)),
        outDir,
      );
      process.stdout.write(renderGradebookText(gradebook));
      log(
        `merged ${dirs.length} gradebook(s) of ${gradebook.students.length} student(s) into ${outDir}`,
      );
    });

  try {
    await program.parseAsync(argv);
    return code;
  } catch (error) {
    const commanderCode = (error as { code?: string }).code;
    if (commanderCode?.startsWith('commander.')) {
      return commanderCode === 'commander.helpDisplayed' || commanderCode === 'commander.version'
        ? EXIT.ok
        : EXIT.usage;
    }
    process.stderr.write(`diverge: ${refusalMessage(error) ?? (error as Error).message}\n`);
    return exitCodeFor(error);
  }
}

// Interrupted (Ctrl-C, a cancelled CI job): stop every QEMU first. Observations and logs of the
// boots that ended are already on disk. Then die of the signal itself (a shell sees 130 or 143):
// process.exit would wait for a file operation stuck in a worker thread (a FIFO's open), forever.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`diverge: ${signal}: stopping every boot\n`);
    context.processes.killAll();
    process.kill(process.pid, signal);
  });
}
process.on('exit', () => context.processes.killAll());

const exitCode = await main(process.argv);
// What the disk refused was said as it happened; it is listed again at the end, and the run
// failed for the infrastructure whatever the verdict.
for (const line of context.unwritten) process.stderr.write(`diverge: ${line}\n`);
process.exitCode = context.unwritten.length > 0 ? EXIT.infrastructure : exitCode;
