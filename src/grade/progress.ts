/**
 * Progress of a long grading: on a terminal one live line (graded/total, builds and boots
 * running, failures so far, ETA) under the lines of finished students; elsewhere (CI) plain
 * lines only, one per finished student.
 */
import { singleLine } from '../render/escape.js';
import type { GradebookStudent } from '../model/gradebook.js';

export interface ProgressSink {
  /** Whether the output is a terminal that can rewrite its last line. */
  tty: boolean;
  write(text: string): void;
  now(): number;
}

export interface GradeCounts {
  total: number;
  graded: number;
  /** Graded now (not kept from an earlier run): what the ETA is measured on. */
  gradedNow: number;
  failures: number;
  building: number;
  booting: number;
}

const duration = (ms: number) => {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
};

/** The live line: `graded 12/40 · 2 building · 3 booting · 1 failed · ETA 1m20s`. */
export function progressLine(counts: GradeCounts, elapsedMs: number): string {
  const left = counts.total - counts.graded;
  const eta =
    counts.gradedNow > 0 && left > 0
      ? ` · ETA ${duration((elapsedMs / counts.gradedNow) * left)}`
      : '';
  return `graded ${counts.graded}/${counts.total} · ${counts.building} building · ${counts.booting} booting · ${counts.failures} failed${eta}`;
}

/** One finished student: `alice: 17/20 (success)` or with the reason it got nothing. */
export function studentLine(student: GradebookStudent, kept: boolean): string {
  const why = student.reason ? ` — ${singleLine(student.reason).slice(0, 160)}` : '';
  return `${singleLine(student.name).slice(0, 64)}: ${student.score === null ? 'not graded' : `${student.score}/${student.max}`} (${student.conclusion})${kept ? ', kept from the last run' : ''}${why}`;
}

export class GradeProgress {
  readonly counts: GradeCounts;
  /** Time spent building and booting, summed over the slots of the queue (ms). */
  readonly busyMs = { building: 0, booting: 0 };
  private readonly started: number;
  private shown = false;

  constructor(
    total: number,
    private readonly sink: ProgressSink,
  ) {
    this.counts = { total, graded: 0, gradedNow: 0, failures: 0, building: 0, booting: 0 };
    this.started = sink.now();
  }

  /** A line that stays (a log line, a finished student), above the live line on a terminal. */
  log(line: string): void {
    if (this.sink.tty) this.sink.write(`\r\x1b[K${line}\n`);
    else this.sink.write(`${line}\n`);
    this.redraw();
  }

  finished(student: GradebookStudent, kept: boolean): void {
    this.counts.graded += 1;
    if (!kept) this.counts.gradedNow += 1;
    if (student.conclusion !== 'success') this.counts.failures += 1;
    this.log(studentLine(student, kept));
  }

  /** Counts a running build or boot for as long as `work` runs. */
  async running<R>(what: 'building' | 'booting', work: () => Promise<R>): Promise<R> {
    this.counts[what] += 1;
    this.redraw();
    const started = this.sink.now();
    try {
      return await work();
    } finally {
      this.busyMs[what] += this.sink.now() - started;
      this.counts[what] -= 1;
      this.redraw();
    }
  }

  private redraw(): void {
    if (!this.sink.tty) return;
    this.shown = true;
    this.sink.write(`\r\x1b[K${progressLine(this.counts, this.sink.now() - this.started)}`);
  }

  /** Ends the live line, leaving the terminal at the start of a new line. */
  done(): void {
    if (this.sink.tty && this.shown) this.sink.write('\r\x1b[K');
  }
}
