/**
 * The JSON each HTML page carries and its script reads: written by html.ts and gradebook-html.ts
 * (Node), read by client/report.ts and client/gradebook.ts (the browser). Types only, importing
 * nothing, so that both programs (Node's and the browser's, see client/tsconfig.json) check it.
 */

/** A boot's log as the page carries it: compact, since a page may hold thousands of them. */
export interface PageBootLog {
  lines: string[];
  /** When lines were cut: how many head lines were kept, and the line number the tail starts at. */
  cut?: [number, number];
  /** Flat triples (test index, first line, last line) of the marks on kept lines. */
  marks: number[];
  note?: string;
}

export interface ReportPageData {
  head: {
    variant: string;
    candidate: { name: string; digest: string };
    references: { name: string; digest: string; broken?: string }[];
    machine: string;
    accel: string;
    qemu: string;
    tool: string;
    startedAt: string;
    durationMs: number;
    harness: string;
    conclusion: string;
    note?: string;
    tests: number;
    divergences: number;
    failing: number;
  };
  kernels: string[];
  classes: { name: string; color: string; meaning: string; count: number; divergent: boolean }[];
  /** One column per field, one entry per test (the page zips them): no key repeated 10,000 times. */
  tests: {
    id: string[];
    class: string[];
    severity: string[];
    blame: string[];
    failing: boolean[];
    /** One cell per entry of `kernels`. */
    cells: string[][];
    reason: string[];
    /** `kernel failing:runs`, joined. */
    counts: string[];
    agreeing: string[][];
    confidence: number[];
  };
  /** What only some tests have, by test index. */
  extras: Record<number, ReportPageExtras>;
  clusters: { id: string; class: string; signature: string; tests: number[] }[];
  boots: ReportPageBoot[];
}

export interface ReportPageExtras {
  expected?: { class: string; reason: string; link?: string };
  cluster?: string;
  diff?: string;
}

export interface ReportPageBoot {
  kernel: string;
  attempt: number;
  outcome: string;
  stage: string;
  durationMs: number;
  cached: boolean;
  message?: string;
  file: string;
  splats: { kind: string; message: string; line: number }[];
  log: PageBootLog;
}

/** A student's build or boot as one short cell of gradebook.html. */
export interface PageStatus {
  /** The outcome, and the start of the message when there is one. */
  text: string;
  /** False for a failed build or a boot that did not complete: the cell is shown as bad. */
  ok: boolean;
  /** The message, longer (the cell's tooltip). */
  message?: string;
  /** The log, relative to the page (made of URL-encoded path segments). */
  log?: string;
}

export interface GradebookPageData {
  title: string;
  /** What a row is: `student`, or the demo's `variant`. */
  noun: string;
  tests: string[];
  classes: { name: string; color: string }[];
  students: GradebookPageStudent[];
}

export interface GradebookPageStudent {
  name: string;
  /** Null: not graded (an infrastructure fault); shown as "not graded", counted nowhere. */
  score: number | null;
  max: number;
  conclusion: string;
  /** Why the score is what it is, when the gradebook says (the conclusion's tooltip). */
  reason?: string;
  build: PageStatus;
  boot: PageStatus;
  /** The student's report.html, relative to the page; none when there is no report. */
  href?: string;
  /** Each test's class, in the order of `tests`; empty when not reported. */
  cells: string[];
}

/** A run as the history pages show it (a column of the grid, an end of a streak). */
export interface HistoryPageRun {
  commit: string;
  time: string;
  event: string;
  /** Its report.html, when `history add` was told (checked by the page: relative or http(s) only). */
  link?: string;
}

/** A test's row of the grid: its code per run as two hex digits (history/timeline.ts's byte). */
export interface HistoryPageRow {
  id: string;
  state: string;
  /** The test's own page, relative to the page. */
  href: string;
  cells: string;
}

/** A test in the lists at the top of the dashboard. */
export interface HistoryPageListed {
  id: string;
  href: string;
  /** A few words: since when, why, how flaky. */
  note: string;
}

/** What every history page knows: how to read a cell's code. */
export interface HistoryCodes {
  /** Class names by index (code & 15) - 1, with their colour. */
  classes: { name: string; color: string }[];
  /** Candidate statuses by index (code >> 5). */
  statuses: string[];
}

/** index.html (the latest runs) and months/YYYY-MM.html (one month's runs). */
export interface HistoryGridPageData extends HistoryCodes {
  kind: 'grid';
  title: string;
  /** One line under the title: counts and the latest run. */
  summary: string;
  lists: { broken: HistoryPageListed[]; flaky: HistoryPageListed[]; fixed: HistoryPageListed[] };
  runs: HistoryPageRun[];
  rows: HistoryPageRow[];
  /** The other grid pages: index and the month pages, relative to this one. */
  months: { name: string; href: string }[];
  /** Links back to index.html (month pages) or to the feed and badge (index). */
  home?: string;
}

/** A run of the same code in a test's timeline. */
export interface HistoryPageStreak {
  from: HistoryPageRun;
  to: HistoryPageRun;
  runs: number;
  code: number;
}

/** tests/ID.html: one test over time. */
export interface HistoryTestPageData extends HistoryCodes {
  kind: 'test';
  id: string;
  home: string;
  facts: { term: string; value: string; link?: string }[];
  /** Newest first; at most HISTORY_STREAKS of them. */
  streaks: HistoryPageStreak[];
  /** How many older streaks were left out. */
  older: number;
}
