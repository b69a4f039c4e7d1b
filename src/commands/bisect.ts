/** `diverge bisect`: the first commit whose kernel diverges from the references. */
import path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { resultText } from '../bisect/render.js';
import { SelectionError } from '../bisect/verdict.js';
import { variantOf } from '../docker/kernel.js';
import { githubFromEnvironment } from '../github/environment.js';
import { type DivergenceClass, FAIL_ON_CLASSES } from '../model/classes.js';
import { EXIT } from '../model/constants.js';
import { BisectInputError } from '../bisect/history.js';
import { runBisect } from '../run/bisect.js';
import { action, type Cli, withExamples, withOutputOptions } from './command.js';
import { checkBisectInputs } from './inputs.js';
import {
  configOption,
  JUDGE_INPUT_ERRORS,
  jobsOption,
  optionOf,
  referenceOption,
  settingsFor,
  takeOut,
} from './options.js';
import type { KernelInput } from '../session/boots.js';
import { DEFAULT_OUT } from '../util/out-dir.js';

interface BisectOptions {
  config?: string;
  good: string;
  bad: string;
  test?: string[];
  class?: DivergenceClass[];
  firstParent?: boolean;
  goodReference: boolean;
  reference?: KernelInput[];
  jobs?: number;
  out: string;
}

function classOption(value: string, previous: DivergenceClass[] = []): DivergenceClass[] {
  if (!(FAIL_ON_CLASSES as readonly string[]).includes(value))
    throw new InvalidArgumentError(`expected one of ${FAIL_ON_CLASSES.join(', ')}, got "${value}"`);
  return [...previous, value as DivergenceClass];
}

export function register(program: Command, cli: Cli): Command {
  const command = program
    .command('bisect')
    .description(
      "find the first commit between --good and --bad whose kernel diverges from the references (run in kernel.build.context's git repository); writes bisect.json and bisect.md",
    )
    .addOption(configOption())
    .requiredOption('--good <rev>', 'a commit whose kernel behaves')
    .requiredOption('--bad <rev>', 'a later commit whose kernel diverges')
    .option(
      '-t, --test <glob>',
      'only these tests decide (repeatable; default every test)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .addOption(
      optionOf(
        '--class <class>',
        "classes that make a commit bad (repeatable; default the config's fail-on)",
        FAIL_ON_CLASSES,
        classOption,
      ),
    )
    .option('--first-parent', 'follow only the first parent of merges')
    .option('--no-good-reference', "do not add the good commit's kernel to the references")
    .addOption(referenceOption())
    .addOption(jobsOption('commits tested at once in a round (default: the cores)'))
    .option('-o, --out <dir>', 'output directory', DEFAULT_OUT.bisect);
  withOutputOptions(command).action(
    action(
      cli,
      [...JUDGE_INPUT_ERRORS, BisectInputError, SelectionError],
      async (options: BisectOptions) => {
        const settings = await settingsFor(options.config, cli.cwd);
        await checkBisectInputs(
          settings,
          options.test ?? [],
          options.reference,
          options.goodReference,
        );
        const outDir = await takeOut(options.out, cli.log);
        const { github, run } = githubFromEnvironment(
          cli.env,
          { variant: variantOf(settings, undefined) },
          cli.log,
        );
        const bisect = await runBisect(cli.context, settings, {
          good: options.good,
          bad: options.bad,
          tests: options.test ?? [],
          ...(options.class ? { classes: options.class } : {}),
          firstParent: Boolean(options.firstParent),
          goodReference: options.goodReference,
          ...(options.reference ? { references: options.reference } : {}),
          ...(options.jobs ? { jobs: options.jobs } : {}),
          outDir,
          docker: cli.docker,
          progress: cli.log,
          run,
          ...(github ? { github } : {}),
        });
        cli.log(
          `bisect: ${path.join(outDir, 'bisect.json')} and bisect.md; step reports in ${path.join(outDir, 'steps')}`,
        );
        return {
          exitCode: bisect.outcome === 'culprit' ? EXIT.ok : EXIT.usage,
          text: resultText(bisect),
          summary: {
            outcome: bisect.outcome,
            culprit: bisect.culprit,
            tests: bisect.tests.map((t) => ({ id: t.id, class: t.class })),
            undecided: bisect.undecided,
            skipped: bisect.skipped,
            files: {
              bisect: path.join(outDir, 'bisect.json'),
              markdown: path.join(outDir, 'bisect.md'),
              steps: path.join(outDir, 'steps'),
            },
          },
        };
      },
    ),
  );
  return withExamples(command, [
    [
      'diverge bisect --good v1.2 --bad main',
      'the first commit after v1.2 whose kernel diverges, judged by ./diverge.yml; into diverge-bisect/',
    ],
    [
      "diverge bisect -c diverge.yml --good v1.2 --bad main -t 'fs.*' --class crash --first-parent",
      'only crashes of the fs tests decide, along the first parents',
    ],
    [
      'diverge bisect --good HEAD~20 --bad HEAD -j 4 -o bisect/',
      'four commits tested at once in each round',
    ],
  ]);
}
