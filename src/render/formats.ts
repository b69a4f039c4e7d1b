/**
 * The output formats of a report, one row a format: its name (`diverge report --format`), the
 * file it is written to beside the report's serial logs, whether every report is saved in it, and
 * how it is rendered. writeReport (report/write.ts) saves the `saved` rows in the table's order,
 * report.json first: on a full disk what fits is the most useful part.
 */
import type { Report } from '../model/report.js';
import { readBootLogs, renderHtml } from './html.js';
import { renderJunit } from './junit.js';
import { type MarkdownOptions, renderMarkdown } from './markdown.js';
import { renderTerminal } from './terminal.js';
import { prettyJson } from '../util/json-text.js';

export interface RenderOptions {
  /** The report's directory: its boots' serial logs are relative to it (the page shows them). */
  dir: string;
  /** The tree its logs may be read from (default `dir`): grade's OUT for a student's report. */
  root?: string;
  /** ANSI colours, for the terminal. */
  color?: boolean;
  /** The Markdown's budget and links; by default it links to the page saved beside it. */
  markdown?: MarkdownOptions;
}

export interface OutputFormat {
  readonly name: string;
  /** The file name it has beside the report's logs. */
  readonly file?: string;
  /** Whether every report is saved in it (writeReport); the others are rendered on request. */
  readonly saved: boolean;
  /** Text, or pieces of it (a report too big for one string: util/json-text.ts). */
  readonly render: (
    report: Report,
    options: RenderOptions,
  ) => string | Promise<string> | Iterable<string>;
}

/** The report itself, written first and checked against schema/report.v1.json before. */
export const REPORT_FILE = 'report.json';
/** The page, linked from the Markdown saved with it. */
const PAGE = 'report.html';

export const OUTPUT_FORMATS = [
  {
    name: 'terminal',
    saved: false,
    render: (report, { color = false }) => renderTerminal(report, { color }),
  },
  {
    name: 'json',
    file: REPORT_FILE,
    saved: true,
    render: (report) => prettyJson(report),
  },
  {
    name: 'markdown',
    file: 'report.md',
    saved: true,
    render: (report, { markdown }) => renderMarkdown(report, { reportUrl: PAGE, ...markdown }),
  },
  {
    name: 'html',
    file: PAGE,
    saved: true,
    render: async (report, { dir, root }) =>
      renderHtml(report, await readBootLogs(report, dir, root)),
  },
  // The action's `junit` output and `diverge run --junit`.
  { name: 'junit', file: 'junit.xml', saved: false, render: (report) => renderJunit(report) },
] as const satisfies readonly OutputFormat[];

export type OutputFormatName = (typeof OUTPUT_FORMATS)[number]['name'];

export const OUTPUT_FORMAT_NAMES: readonly OutputFormatName[] = OUTPUT_FORMATS.map((f) => f.name);

/** The row named `name` (a `--format` value), if there is one. */
export function outputFormat(name: string): OutputFormat | undefined {
  return OUTPUT_FORMATS.find((format) => format.name === name);
}

/** The formats every report is saved in, in the order they are written. */
export const SAVED_FORMATS = OUTPUT_FORMATS.filter(
  (format): format is Extract<(typeof OUTPUT_FORMATS)[number], { saved: true }> => format.saved,
);
