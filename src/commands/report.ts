/** `diverge report`: a report.json rendered for people. */
import { once } from 'node:events';
import path from 'node:path';
import type { Command } from 'commander';
import { OUTPUT_FORMAT_NAMES, outputFormat } from '../render/formats.js';
import { ReportError } from '../report/validate.js';
import { EXIT } from '../model/constants.js';
import { action, type Cli, withExamples } from './command.js';
import { optionOf, positiveInt, readReport, UsageError } from './options.js';

interface ReportOptions {
  format: string;
  budget?: number;
}

export function register(program: Command, cli: Cli): Command {
  const command = program
    .command('report')
    .description('render a report.json for people')
    .argument('<report.json>', 'a report written by diverge run or compare')
    .addOption(
      optionOf('-f, --format <format>', 'output format', OUTPUT_FORMAT_NAMES).default('terminal'),
    )
    .option('--budget <bytes>', 'most bytes of Markdown (default 60000)', positiveInt)
    .action(
      action(cli, [UsageError, ReportError], async (file: string, options: ReportOptions) => {
        const format = outputFormat(options.format);
        if (!format)
          throw new UsageError(
            `--format: expected one of ${OUTPUT_FORMAT_NAMES.join(', ')}, got "${options.format}"`,
          );
        const report = await readReport(file);
        const dir = path.dirname(path.resolve(file));
        const rendered = await format.render(report, {
          // Serial logs are read where boots[].log points: beside the report, or for a
          // student's report (OUT/students/NAME) anywhere in the grade's OUT, where the
          // references' logs are.
          dir,
          root: report.subject ? path.resolve(dir, '..', '..') : dir,
          color: cli.color,
          markdown: {
            reportUrl: file,
            ...(options.budget ? { budgetBytes: options.budget } : {}),
          },
        });
        // A report too big for one string comes in pieces; a pipe takes them at its own pace.
        for (const piece of typeof rendered === 'string' ? [rendered] : rendered)
          if (!process.stdout.write(piece)) await once(process.stdout, 'drain');
        return EXIT.ok;
      }),
    );
  return withExamples(command, [
    ['diverge report out/report.json', 'the verdicts on the terminal, as run printed them'],
    [
      'diverge report out/report.json --format html > report.html',
      'the self-contained page, with the serial logs found beside the report',
    ],
    [
      'diverge report out/report.json -f markdown --budget 30000',
      'the PR comment, cut to 30000 bytes',
    ],
  ]);
}
