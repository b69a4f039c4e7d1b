/** `diverge run`: the candidate against the references, judged; report.json and report.md. */
import path from 'node:path';
import type { Command } from 'commander';
import { variantOf } from '../docker/kernel.js';
import { githubFromEnvironment } from '../github/environment.js';
import { writeCourseFiles } from '../grade/course-files.js';
import { checkRubric, RubricError } from '../grade/rubric.js';
import { resolveKernels } from '../references/resolve.js';
import type { KernelInput } from '../session/boots.js';
import { runDifferential } from '../run/candidate.js';
import { action, type Cli, reportOutcome, withExamples, withOutputOptions } from './command.js';
import { checkRunInputs } from './inputs.js';
import {
  configOption,
  JUDGE_INPUT_ERRORS,
  jobsOption,
  observationCacheOption,
  referenceOption,
  settingsFor,
  takeOut,
} from './options.js';
import { DEFAULT_OUT } from '../util/out-dir.js';

interface RunOptions {
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
}

export function register(program: Command, cli: Cli): Command {
  const command = program
    .command('run')
    .description(
      'boot the candidate and the references, judge every test, write report.json and report.md',
    )
    .addOption(configOption())
    .option(
      '--candidate <path>',
      "the candidate kernel (default: the config's kernel.build or kernel.file)",
    )
    .addOption(referenceOption())
    .option('-o, --out <dir>', 'output directory', DEFAULT_OUT.run)
    .option(
      '--variant <name>',
      'the build variant: passed to kernel.build as the VARIANT build argument and shown in reports (default: that argument, else "default")',
    )
    .addOption(jobsOption())
    .option(
      '--repository <owner/name>',
      'repository of artifact and release references (default: GITHUB_REPOSITORY)',
    )
    .option(
      '--base-ref <branch>',
      "for base: true: the pull request's base branch (default: GITHUB_BASE_REF); locally, the base is its merge-base with HEAD (default: origin's default branch)",
    )
    .option(
      '--base-sha <sha>',
      'for base: true: the base commit itself (default: from the event; locally, the merge-base)',
    )
    .addOption(observationCacheOption())
    .option(
      '--gradescope <file>',
      "also write a Gradescope results.json scored by the config's grading rubric",
    )
    .option('--junit <file>', 'also write the verdicts as JUnit XML');
  withOutputOptions(command).action(
    action(cli, [...JUDGE_INPUT_ERRORS, RubricError], async (options: RunOptions) => {
      const settings = await settingsFor(options.config, cli.cwd);
      const candidate = options.candidate ? path.resolve(options.candidate) : undefined;
      const variant = variantOf(settings, options.variant, options.candidate);
      // GITHUB_TOKEN (and GITHUB_API_URL) let a local run fetch artifacts and releases too.
      const { github, run } = githubFromEnvironment(
        cli.env,
        {
          variant,
          ...(options.repository ? { repository: options.repository } : {}),
          ...(options.baseRef ? { baseRef: options.baseRef } : {}),
          ...(options.baseSha ? { baseSha: options.baseSha } : {}),
        },
        cli.log,
      );
      await checkRunInputs(settings, {
        ...(candidate ? { candidate } : {}),
        ...(options.reference ? { references: options.reference } : {}),
        rubric: Boolean(options.gradescope),
        run,
      });
      const outDir = await takeOut(options.out, cli.log, true);
      const kernels = await resolveKernels(
        settings,
        {
          ...(candidate ? { candidate } : {}),
          ...(options.reference ? { references: options.reference } : {}),
        },
        {
          docker: cli.docker,
          variant,
          outDir,
          progress: cli.log,
          run,
          cache: cli.context.cache,
          clock: cli.context.clock,
          waits: cli.context.waits,
          ...(github ? { github } : {}),
        },
      );
      const report = await runDifferential(cli.context, settings, kernels, {
        outDir,
        docker: cli.docker,
        variant,
        observationCache: options.observationCache,
        progress: cli.log,
        ...(options.jobs ? { jobs: options.jobs } : {}),
      });
      cli.log(
        `report: ${path.join(outDir, 'report.html')}, report.json and report.md; serial logs in ${path.join(outDir, 'logs')}`,
      );
      if (options.gradescope)
        checkRubric(
          settings.grading,
          report.tests.map((t) => t.id),
          settings.configPath,
        );
      await writeCourseFiles(report, settings.grading, {
        junit: options.junit,
        gradescope: options.gradescope,
      });
      return reportOutcome(cli, report, outDir);
    }),
  );
  return withExamples(command, [
    [
      'diverge run',
      "build or fetch ./diverge.yml's kernel and references, judge it, write diverge-out/",
    ],
    [
      'diverge run -c diverge.yml --candidate build/kernel.elf -r staff=refs/staff.elf -r v1.2=refs/v1.2.elf -o out/',
      "these kernel files instead of the config's kernel and references",
    ],
    [
      'diverge run --variant lab2 --junit junit.xml --gradescope results.json',
      "build variant lab2; also JUnit XML and Gradescope results scored by the config's rubric",
    ],
  ]);
}
