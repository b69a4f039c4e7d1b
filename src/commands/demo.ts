/** `diverge demo`: the fixture course (or Debian's Linux kernels) judged end to end. */
import path from 'node:path';
import type { Command } from 'commander';
import { EXIT } from '../model/constants.js';
import { renderMatrixText } from '../render/matrix.js';
import { checkDemoVariants, runCourseDemo, runLinuxDemo } from '../run/demo.js';
import { courseTruth } from '../run/fixtures.js';
import { action, type Cli, withExamples } from './command.js';
import { JUDGE_INPUT_ERRORS, jobsOption, takeOut } from './options.js';
import { DEFAULT_OUT } from '../util/out-dir.js';

interface DemoOptions {
  out: string;
  variant?: string[];
  linux?: boolean;
  jobs?: number;
}

export function register(program: Command, cli: Cli): Command {
  const command = program
    .command('demo')
    .description(
      'build the fixture course (a teaching kernel and its student variants) in Docker and judge every variant against the staff kernels',
    )
    .option('-o, --out <dir>', 'output directory', DEFAULT_OUT.demo)
    .option(
      '--variant <names...>',
      'judge only these variants: staff-alt (against staff alone) or student variants (default: all)',
    )
    .option(
      '--linux',
      'instead, judge Debian Linux 6.12 against two 6.1 builds with the Linux fixture harness',
    )
    .addOption(jobsOption())
    .action(
      action(cli, JUDGE_INPUT_ERRORS, async (options: DemoOptions) => {
        const { context, log } = cli;
        if (!options.linux) checkDemoVariants(await courseTruth(), options.variant ?? []);
        const outDir = await takeOut(options.out, log);
        if (options.linux) return runLinuxDemo(context, outDir, log, cli.color);
        const started = context.clock.now();
        const rows = await runCourseDemo(context, outDir, {
          docker: cli.docker,
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
        return rows.some((row) => row.report.summary.conclusion === 'neutral')
          ? EXIT.infrastructure
          : rows.some((row) => row.unintended.length > 0)
            ? EXIT.divergences
            : EXIT.ok;
      }),
    );
  return withExamples(command, [
    [
      'diverge demo',
      'every student variant of the fixture course, each against the staff kernels, into diverge-demo/',
    ],
    [
      'diverge demo --variant panic hang -j 2',
      'only the variants panic and hang, two boots at once',
    ],
    ['diverge demo --linux -o linux-demo/', 'Debian Linux 6.12 against two 6.1 builds'],
  ]);
}
