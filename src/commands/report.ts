/** `diverge report`: a report.json rendered for people. */
import path from 'node:path';
import type { Command } from 'commander';
import { readBootLogs, renderHtml } from '../render/html.js';
import { renderMarkdown } from '../render/markdown.js';
import { ReportError } from '../report/validate.js';
import { EXIT } from '../model/constants.js';
import { action, type Cli, showReport, withExamples } from './command.js';
import { positiveInt, readReport, UsageError } from './options.js';

interface ReportOptions {
  format: string;
  budget?: number;
}

export function register(program: Command, cli: Cli): Command {
  const command = program
    .command('report')
    .description('render a report.json for people')
    .argument('<report.json>', 'a report written by diverge run or compare')
    .option('-f, --format <format>', 'terminal | markdown | html | json', 'terminal')
    .option('--budget <bytes>', 'most bytes of Markdown (default 60000)', positiveInt)
    .action(
      action(cli, [UsageError, ReportError], async (file: string, options: ReportOptions) => {
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
          showReport(report);
        } else {
          throw new UsageError(
            `--format: expected terminal, markdown, html or json, got "${options.format}"`,
          );
        }
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
