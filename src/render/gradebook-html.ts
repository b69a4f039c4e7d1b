/**
 * gradebook.html: a whole class at once. Students × tests as a heat map coloured by class,
 * sortable by score or by any test, the score distribution, each student's build and boot in
 * a few words, and each row linking to the student's own report.html when there is one. The
 * same page shows `diverge demo`'s variants (see demo.ts). Its script is client/gradebook.ts.
 */
import { CLASS_ORDER } from '../model/classes.js';
import type { GradebookStudent, StudentBoot, StudentBuild } from '../model/gradebook.js';
import { classColour, htmlPage } from './html-page.js';
import { GRADEBOOK_SCRIPT } from './html-scripts.js';
import type { GradebookPageData, PageStatus } from './page-data.js';

/** As much of a student's row as the page shows (the demo's variants have no resume key). */
export type GradebookRow = Pick<
  GradebookStudent,
  'name' | 'score' | 'max' | 'conclusion' | 'reason' | 'tests' | 'build' | 'boot' | 'report'
>;

export interface GradebookHtmlOptions {
  /** Heading and title; default "diverge gradebook". */
  title?: string;
  /**
   * Where a student's report.html is, relative to the page; default `students/NAME/report.html`.
   * Not asked for a student without a report (`report: null`).
   */
  reportHref?: (student: GradebookRow) => string;
  /** The first column's heading; default "student". */
  noun?: string;
}

/** A relative link made only of URL-encoded path segments: never a scheme, never a way out of the page's folder. */
export const relativeHref = (...segments: string[]) =>
  segments.map((s) => encodeURIComponent(s)).join('/');

/** A path relative to the page as a link, or undefined when it would leave the page's folder. */
export function pathHref(file: string): string | undefined {
  const segments = file.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return undefined;
  return relativeHref(...segments);
}

/** A cell shows this many characters of a message; its tooltip MESSAGE_CHARS. */
export const STATUS_CHARS = 40;
const MESSAGE_CHARS = 1000;

/** The first `max` characters (code points) of `text`, `…` last when cut. */
function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}

function status(
  what: string,
  ok: boolean,
  message?: string,
  log?: string,
  lastLines: readonly string[] = [],
): PageStatus {
  const href = log === undefined ? undefined : pathHref(log);
  const whole = [message ?? '', ...lastLines].join('\n').trim();
  return {
    text: message ? `${what}: ${clip(message, STATUS_CHARS)}` : what,
    ok,
    ...(whole ? { message: clip(whole, MESSAGE_CHARS + lastLines.length * 500) } : {}),
    ...(href ? { log: href } : {}),
  };
}

/** A build as the page shows it: `built`, `failed: <the message's start…>`; its log linked. */
export const buildStatus = (build: StudentBuild): PageStatus =>
  // The compiler's last lines under the message, on hover: what a student fixes first.
  status(build.outcome, build.outcome !== 'failed', build.message, build.log, build.lastLines);

/** A boot as the page shows it: `completed`, `panic (stage kernel): <message…>`, `not-booted`. */
export const bootStatus = (boot: StudentBoot): PageStatus =>
  status(
    boot.stage && boot.outcome !== 'completed'
      ? `${boot.outcome} (stage ${boot.stage})`
      : boot.outcome,
    boot.outcome === 'completed',
    boot.message,
  );

export function renderGradebookHtml(
  gradebook: { students: readonly GradebookRow[] },
  options: GradebookHtmlOptions = {},
): string {
  const href =
    options.reportHref ?? ((s: GradebookRow) => relativeHref('students', s.name, 'report.html'));
  const tests: string[] = [];
  const seen = new Set<string>();
  for (const student of gradebook.students)
    for (const id of Object.keys(student.tests))
      if (!seen.has(id)) {
        seen.add(id);
        tests.push(id);
      }
  // A class the table does not know (a tampered gradebook's) is listed last.
  const present = new Set<string>(gradebook.students.flatMap((s) => Object.values(s.tests)));
  const classes = [
    ...CLASS_ORDER,
    ...[...present].filter((c) => !(CLASS_ORDER as string[]).includes(c)).sort(),
  ]
    .filter((c) => present.has(c))
    .map((name) => ({ name, color: classColour(name) }));
  const data: GradebookPageData = {
    title: options.title ?? 'diverge gradebook',
    noun: options.noun ?? 'student',
    tests,
    classes,
    students: gradebook.students.map((s) => ({
      name: s.name,
      score: s.score,
      max: s.max,
      conclusion: s.conclusion,
      ...(s.reason ? { reason: clip(s.reason, MESSAGE_CHARS) } : {}),
      build: buildStatus(s.build),
      boot: bootStatus(s.boot),
      ...(s.report === null ? {} : { href: href(s) }),
      cells: tests.map((id) => s.tests[id] ?? ''),
    })),
  };
  return htmlPage({
    title: data.title,
    css: GRADEBOOK_CSS,
    script: GRADEBOOK_SCRIPT,
    body: GRADEBOOK_BODY,
    data,
  });
}

const GRADEBOOK_BODY = `<header id="head"></header>
<section id="distribution-section"><h2>Score distribution</h2><div id="distribution"></div></section>
<section id="legend"></section>
<section id="table-section"><table id="book"><thead id="book-head"></thead><tbody id="book-body"></tbody></table></section>`;

const GRADEBOOK_CSS = `
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 16px 24px; color: #1f2328; }
h1 { font-size: 20px; margin: 12px 0 4px; } h2 { font-size: 16px; margin: 12px 0 6px; }
.ctl { color: #cf222e; background: #ffebe9; border-radius: 3px; font-size: 11px; }
.muted { color: #57606a; font-size: 12px; }
#distribution { display: flex; align-items: flex-end; gap: 4px; height: 120px; border-bottom: 1px solid #d0d7de; padding-top: 16px; }
.bin { flex: 1; max-width: 60px; display: flex; flex-direction: column; justify-content: flex-end; align-items: center; height: 100%; font-size: 11px; }
.bar { width: 100%; background: #0969da; border-radius: 3px 3px 0 0; min-height: 1px; }
.bins { display: flex; gap: 4px; font-size: 11px; color: #57606a; }
.bins span { flex: 1; max-width: 60px; text-align: center; }
#legend { margin: 10px 0; }
.cls { display: inline-block; color: #fff; border-radius: 10px; padding: 0 8px; font-size: 12px; line-height: 18px; margin-right: 6px; }
table#book { border-collapse: collapse; font-size: 12.5px; }
#book th, #book td { border: 1px solid #eaeef2; padding: 2px 6px; white-space: nowrap; }
#book th { background: #f6f8fa; position: sticky; top: 0; z-index: 1; }
#book th.test { padding: 4px 2px; line-height: 1.2; writing-mode: vertical-rl; transform: rotate(180deg); max-height: 14em; overflow: hidden; text-overflow: ellipsis; font-family: ui-monospace, Menlo, Consolas, monospace; font-weight: 500; }
#book th button { border: 0; background: none; font: inherit; cursor: pointer; padding: 0; }
#book th[aria-sort] button { text-decoration: underline; }
#book td.heat { width: 22px; min-width: 22px; padding: 0; }
#book .who, #book .why { display: inline-block; max-width: 11em; overflow: hidden; text-overflow: ellipsis; vertical-align: bottom; }
#book td.score { text-align: right; font-variant-numeric: tabular-nums; }
.bad { color: #cf222e; font-weight: 600; }
#book td.status.bad { font-weight: normal; }
#book td.status a.log { font-size: 11px; }
`;
