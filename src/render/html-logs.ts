/**
 * Serial logs for report.html: which lines of a boot's log belong to which test, and the log
 * cut to the page's budget. A test's lines are found the way a person reads a KTAP/TAP log: its
 * result line (`ok 3 name`, `not ok 3 name # SKIP`) and the lines since the previous result line.
 * The boot of a crash or hang also marks its tail, the lines after the last result: what the
 * test in progress printed before the boot ended.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Report, ReportBoot, ReportTest } from '../model/report.js';

/** A kernel's runs of a test; a kernel named like `constructor` is a name, not a property. */
export const runsOf = (test: ReportTest, kernel: string) =>
  Object.hasOwn(test.observations, kernel) ? test.observations[kernel] : undefined;

/** A log is kept whole up to this many bytes; a longer one keeps its head and its tail. */
export const LOG_CAP_BYTES = 256 * 1024;
/** All logs of one page together; boots share it evenly, each keeping at least LOG_MIN_BYTES. */
export const LOGS_BUDGET_BYTES = 4 * 1024 * 1024;
const LOG_MIN_BYTES = 8 * 1024;
/** One line is cut at this many characters (a 1 MB line would be unreadable anyway). */
export const LINE_CAP_CHARS = 2000;

export interface LogMark {
  /** Index in report.tests; -1 for the tail of a boot that ended early. */
  test: number;
  /** First and last line, 1-based, of the whole log. */
  from: number;
  to: number;
}

export interface PageLog {
  /** The kept lines, with a note line where lines were cut. */
  lines: string[];
  /** Line number (1-based, whole log) of each kept line; 0 for a note line. */
  numbers: number[];
  marks: LogMark[];
  /** Why the page does not hold the whole log, if it does not. */
  note?: string;
}

const PRINTK_PREFIX = /^(?:<\d{1,2}>)?(?:\[\s*\d+\.\d+\](?:\[\s*[CT]\d+\])? ?)?/;
const RESULT = /^(?:not +)?ok(?:\s+\d+)?(?:\s+-(?=\s|$))?(.*)$/s;

/** The test name of a KTAP/TAP result line, or undefined when the line is not one. */
export function resultName(line: string): string | undefined {
  const match = RESULT.exec(line.replace(PRINTK_PREFIX, '').trim());
  if (!match) return undefined;
  const rest = match[1] ?? '';
  const hash = rest.search(/(?:^|\s)#/);
  return (hash < 0 ? rest : rest.slice(0, hash)).trim().replace(/\\([\\#])/g, '$1');
}

/** Every name a result line may give a test id: `a.b.c~2` answers to `a.b.c`, `b.c` and `c`. */
function namesOf(id: string): string[] {
  const base = id.replace(/~\d+$/, '');
  const names = [base];
  for (let at = base.indexOf('.'); at >= 0; at = base.indexOf('.', at + 1))
    names.push(base.slice(at + 1));
  return names;
}

/**
 * Marks each test's lines in one boot's log. `tests` are the ids this boot reported, with
 * their index in report.tests, in the report's (the harness's) order.
 */
export function markTests(
  lines: readonly string[],
  tests: readonly { id: string; index: number }[],
  ended: boolean,
): LogMark[] {
  const waiting = new Map<string, { id: string; index: number; taken: boolean }[]>();
  const entries = tests.map((t) => ({ ...t, taken: false }));
  for (const entry of entries)
    for (const name of namesOf(entry.id)) {
      const queue = waiting.get(name) ?? [];
      queue.push(entry);
      waiting.set(name, queue);
    }
  const marks: LogMark[] = [];
  let since = 0; // index of the line after the previous result line
  lines.forEach((line, i) => {
    const name = resultName(line);
    if (name === undefined) return;
    const entry = waiting.get(name)?.find((e) => !e.taken);
    if (entry) {
      entry.taken = true;
      marks.push({ test: entry.index, from: since + 1, to: i + 1 });
    }
    since = i + 1;
  });
  if (!ended && since < lines.length) marks.push({ test: -1, from: since + 1, to: lines.length });
  return marks;
}

const clip = (line: string) =>
  line.length <= LINE_CAP_CHARS
    ? line
    : `${line.slice(0, LINE_CAP_CHARS)} … [diverge: ${line.length - LINE_CAP_CHARS} more characters]`;

/** Keeps the head and the tail of `lines` within `capBytes` (counted in characters). */
function capLines(lines: readonly string[], capBytes: number): Omit<PageLog, 'marks'> {
  const all = lines.map(clip);
  const size = all.reduce((sum, line) => sum + line.length + 1, 0);
  const numbered = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) => from + i + 1);
  if (size <= capBytes) return { lines: all, numbers: numbered(0, all.length) };
  let head = 0;
  for (let used = 0; head < all.length && used + (all[head]?.length ?? 0) < capBytes / 2; head++)
    used += (all[head]?.length ?? 0) + 1;
  let tail = all.length;
  for (let used = 0; tail > head && used + (all[tail - 1]?.length ?? 0) < capBytes / 2; tail--)
    used += (all[tail - 1]?.length ?? 0) + 1;
  const note = `[diverge: lines ${head + 1}–${tail} (${size - capBytes} bytes or more) are not in this page; the log file has them]`;
  return {
    lines: [...all.slice(0, head), note, ...all.slice(tail)],
    numbers: [...numbered(0, head), 0, ...numbered(tail, all.length)],
    note: `cut to ${capBytes} bytes`,
  };
}

/** Per-boot cap: an even share of the page's budget, within [LOG_MIN_BYTES, LOG_CAP_BYTES]. */
export const logCap = (boots: number) =>
  Math.min(
    LOG_CAP_BYTES,
    Math.max(LOG_MIN_BYTES, Math.floor(LOGS_BUDGET_BYTES / Math.max(1, boots))),
  );

/** Each boot's log as the page shows it; `logs` maps boots[].log to the file's text. */
export function pageLogs(report: Report, logs: ReadonlyMap<string, string>): PageLog[] {
  const cap = logCap(report.boots.length);
  let budget = LOGS_BUDGET_BYTES;
  return report.boots.map((boot) => {
    const text = logs.get(boot.log);
    if (text === undefined)
      return { lines: [], numbers: [], marks: [], note: 'the log file was not found' };
    if (budget <= 0)
      return {
        lines: [],
        numbers: [],
        marks: [],
        note: "left out: the page's log budget is spent",
      };
    // A log can end in a bare \r: the VM stopped before the \n of a kernel's \r\n got out.
    const lines = text.replace(/\r?\n$|\r$/, '').split(/\r?\n/);
    const tests = testsOf(report, boot);
    const kept = capLines(lines, cap);
    budget -= kept.lines.reduce((sum, line) => sum + line.length + 1, 0);
    return { ...kept, marks: markTests(lines, tests, boot.outcome === 'completed') };
  });
}

function testsOf(report: Report, boot: ReportBoot) {
  const tests: { id: string; index: number }[] = [];
  report.tests.forEach((test, index) => {
    if (
      runsOf(test, boot.kernel)?.some((o) => o.attempt === boot.attempt && o.status !== 'missing')
    )
      tests.push({ id: test.id, index });
  });
  return tests;
}

/**
 * Reads every boot's log, relative to the report's directory. A log path that leaves `root`
 * (default that directory; grade's OUT for a student's report, whose references' logs are
 * shared) is not read: a tampered report reads nothing else.
 */
export async function readBootLogs(
  report: Report,
  dir: string,
  root = dir,
): Promise<Map<string, string>> {
  const logs = new Map<string, string>();
  const tree = path.resolve(root);
  for (const boot of report.boots) {
    const file = path.resolve(dir, boot.log);
    if (!file.startsWith(tree + path.sep)) continue;
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined) logs.set(boot.log, text);
  }
  return logs;
}
