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
