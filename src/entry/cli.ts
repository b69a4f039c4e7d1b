import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, defaultSettings, loadConfig } from '../config/load.js';
import type { Settings } from '../config/settings.js';
import { isDivergence } from '../compare/classes.js';
import { updateExpectations } from '../compare/expectations.js';
import { runCourseDemo, runLinuxDemo } from '../run/demo.js';
import { renderMatrixText } from '../render/matrix.js';
import { compareSaved, runDifferential } from '../run/candidate.js';
import { resolveKernels } from '../references/resolve.js';
import { renderMarkdown } from '../render/markdown.js';
import { renderJunit } from '../render/junit.js';
import { gradescopeResults } from '../grade/formats.js';
import { scoreReport } from '../grade/rubric.js';
import { renderTerminal } from '../render/terminal.js';
import type { Report } from '../report/types.js';
import { ReportError, validateReport } from '../report/validate.js';
import { HarnessError } from '../harness/errors.js';
import { bootKernels, type KernelInput } from '../run/boots.js';
import { KernelFileError } from '../qemu/kernel-image.js';
import { EXIT, TOOL_VERSION } from '../constants.js';
import { createRunContext } from '../context.js';
import { dockerAccess } from '../build/docker.js';
import { BuildError } from '../build/errors.js';
import { variantOf } from '../build/kernel.js';
import { githubFromEnvironment } from '../github/environment.js';
import { ReferenceFetchError } from '../references/sources/index.js';

const log = (line: string) => process.stderr.write(`[diverge] ${line}\n`);
/** Read from the environment once; its process registry lets an interrupted CLI stop every QEMU. */
const context = createRunContext(process.env);

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
  ConfigError,
  KernelFileError,
  HarnessError,
  BuildError,
  ReferenceFetchError,
  UsageError,
  ReportError,
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
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });

  let code: number = EXIT.ok;
  // Connects on first use only: runs that boot files never need a Docker engine.
  const docker = dockerAccess(context.dockerHost, undefined, log);
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
        const outDir = path.resolve(options.out);
        const run = await bootKernels(context, settings, options.kernel, {
          outDir,
          docker,
          ...(options.jobs ? { jobs: options.jobs } : {}),
          progress: log,
        });
        await writeFile(path.join(outDir, 'boots.json'), `${JSON.stringify(run, null, 2)}\n`);
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
        const outDir = path.resolve(options.out);
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
          `report: ${path.join(outDir, 'report.json')} and report.md; serial logs in ${path.join(outDir, 'logs')}`,
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
        const outDir = path.resolve(options.out ?? options.from);
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
    .option('-f, --format <format>', 'terminal | markdown | json', 'terminal')
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
      } else if (options.format === 'json') {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      } else if (options.format === 'terminal') {
        show(report);
      } else {
        throw new UsageError(
          `--format: expected terminal, markdown or json, got "${options.format}"`,
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
        const outDir = path.resolve(options.out);
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
          `reports: ${outDir}/<variant>/report.json and report.md, serial logs in ${outDir}/<variant>/logs; table in ${path.join(outDir, 'summary.md')} (${((context.clock.now() - started) / 1000).toFixed(0)} s)`,
        );
        code = rows.some((row) => row.report.summary.conclusion === 'neutral')
          ? EXIT.infrastructure
          : rows.some((row) => row.unintended.length > 0)
            ? EXIT.divergences
            : EXIT.ok;
      },
    );

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
    process.stderr.write(`diverge: ${(error as Error).message}\n`);
    return exitCodeFor(error);
  }
}

// Interrupted (Ctrl-C, a cancelled CI job): stop every QEMU first. Observations and logs of the
// boots that ended are already on disk.
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.once(signal, () => {
    process.stderr.write(`diverge: ${signal}: stopping every boot\n`);
    context.processes.killAll();
    process.exit(code);
  });
}
process.on('exit', () => context.processes.killAll());

process.exitCode = await main(process.argv);
