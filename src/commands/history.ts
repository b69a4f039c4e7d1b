/**
 * `diverge history add|show|render`: a store of every run on the default branch, what it says
 * about each test, and a dashboard of it (docs/history.md).
 */
import path from 'node:path';
import type { Command } from 'commander';
import { allFacts, FLAKE_WINDOW } from '../history/facts.js';
import { runPlace } from '../history/place.js';
import { HistoryError, historyRecord } from '../history/record.js';
import { historySummary, historyText } from '../history/show.js';
import { renderSite } from '../history/site.js';
import { appendRecord, readTimeline } from '../history/store.js';
import { EXIT } from '../model/constants.js';
import { ReportError } from '../report/validate.js';
import { action, type Cli, withExamples, withOutputOptions } from './command.js';
import { positiveInt, readReport, UsageError } from './options.js';

const BAD_INPUT = [UsageError, ReportError, HistoryError];

interface AddOptions {
  store: string;
  commit?: string;
  ref?: string;
  time?: string;
  event?: string;
  link?: string[];
}

/** The store as a timeline, its months' columns kept in the cache directory between reads. */
const readStore = (cli: Cli, store: string) =>
  readTimeline(path.resolve(cli.cwd, store), (line) => cli.log(`warning: ${line}`), {
    dir: cli.context.cache.history,
    version: cli.context.buildId,
  });

const storeOption = '--store <dir>';
const storeHelp = 'the history store: a directory of month files (YYYY-MM.jsonl)';

function registerAdd(history: Command, cli: Cli): void {
  const command = history
    .command('add')
    .description('append one record of a run (its report.json files) to the history store')
    .argument('<reports...>', "the run's report.json files, one per variant")
    .requiredOption(storeOption, storeHelp)
    .option('--commit <sha>', "the commit that ran (default: GITHUB_SHA, else the checkout's HEAD)")
    .option('--ref <ref>', 'its ref (default: GITHUB_REF, else the checked-out branch)')
    .option('--time <iso>', 'when it ran, ISO 8601 (default: now)')
    .option(
      '--event <event>',
      'push, schedule or manual (default: from GITHUB_EVENT_NAME, else manual)',
    )
    .option(
      '--link <url>',
      "where each report's report.html is published, in the reports' order (repeatable)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .action(
      action(cli, BAD_INPUT, async (files: string[], options: AddOptions) => {
        const place = await runPlace(options, cli.env, cli.cwd, cli.context.clock.now());
        const reports = await Promise.all(
          files.map(async (file, i) => {
            const link = options.link?.[i];
            return { file, report: await readReport(file), ...(link ? { link } : {}) };
          }),
        );
        const record = historyRecord(place, reports);
        const file = await appendRecord(path.resolve(cli.cwd, options.store), record);
        const tests = record.reports.reduce((n, r) => n + Object.keys(r.tests).length, 0);
        cli.log(`recorded ${record.commit} (${record.event}, ${tests} tests) in ${file}`);
        return EXIT.ok;
      }),
    );
  withExamples(command, [
    [
      'diverge history add out/report.json --store history',
      "record this checkout's run in history/ (commit, ref and event from git and GitHub's variables)",
    ],
    [
      'diverge history add a/report.json b/report.json --store history --commit 0123abc --event schedule',
      'one run of two variants, made by a nightly schedule',
    ],
  ]);
}

function registerShow(history: Command, cli: Cli): void {
  const command = withOutputOptions(
    history
      .command('show')
      .description('what is broken, since when and why, what is flaky and what was fixed')
      .requiredOption(storeOption, storeHelp)
      .option(
        '--window <runs>',
        `the flake rate is over this many latest runs (default ${FLAKE_WINDOW})`,
        positiveInt,
      ),
  ).action(
    action(cli, BAD_INPUT, async (options: { store: string; window?: number }) => {
      const timeline = await readStore(cli, options.store);
      const facts = allFacts(timeline, options.window);
      return {
        exitCode: EXIT.ok,
        text: historyText(timeline, facts),
        summary: historySummary(facts),
      };
    }),
  );
  withExamples(command, [
    ['diverge history show --store history', 'broken, flaky and fixed tests on the terminal'],
    [
      'diverge history show --store history --json',
      '{tests: [{id, state, brokenSince, lastGood, flakeRate, …}]} on stdout',
    ],
  ]);
}

function registerRender(history: Command, cli: Cli): void {
  const command = history
    .command('render')
    .description('write the dashboard: a static site, badge.json and an Atom feed of state changes')
    .requiredOption(storeOption, storeHelp)
    .requiredOption('-o, --out <dir>', 'where to write the site')
    .option('--url <url>', "the site's public address, for the feed's links")
    .option(
      '--window <runs>',
      `the flake rate is over this many latest runs (default ${FLAKE_WINDOW})`,
      positiveInt,
    )
    .action(
      action(
        cli,
        BAD_INPUT,
        async (options: { store: string; out: string; url?: string; window?: number }) => {
          const timeline = await readStore(cli, options.store);
          const facts = allFacts(timeline, options.window);
          const out = path.resolve(cli.cwd, options.out);
          const site = await renderSite(timeline, facts, out, {
            ...(options.url ? { url: options.url } : {}),
          });
          cli.log(`wrote ${site.pages} pages of ${timeline.runs.length} runs to ${out}`);
          return EXIT.ok;
        },
      ),
    );
  withExamples(command, [
    ['diverge history render --store history --out site', 'the dashboard in site/index.html'],
    [
      'diverge history render --store history -o site --url https://example.org/kernel/',
      'with the Atom feed linking to the published site',
    ],
  ]);
}

export function register(program: Command, cli: Cli): Command {
  const history = withExamples(
    program
      .command('history')
      .description('the runs of the default branch kept over time: add, show, render'),
    [
      ['diverge history add out/report.json --store history', 'record a run'],
      ['diverge history show --store history', 'what is broken, since when'],
    ],
  );
  registerAdd(history, cli);
  registerShow(history, cli);
  registerRender(history, cli);
  return history;
}
