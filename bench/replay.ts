/**
 * The benchmarks' shell baseline: the QEMU command lines diverge recorded in its observations,
 * run again by a plain shell (`xargs -P`, as many at once as diverge had), and checked to have
 * really run. A baseline that did not run is no baseline: a boot whose replay failed to start,
 * ended differently from diverge's or did not get as far throws a `ReplayError`, so the bench
 * fails with a message instead of reporting a ratio over a shell that did nothing.
 *
 * Used by bench/boot-vs-shell.ts and bench/grade.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Settings } from '../src/config/settings.js';
import { consoleLines } from '../src/util/console.js';
import { detectSplat } from '../src/qemu/splats.js';
import { BOOT_STAGES, type BootStage, laterStage, stageOfLine } from '../src/model/stage.js';
import { splitKernelMessages } from '../src/results/common.js';
import { parseResults } from '../src/results/index.js';
import type { KernelObservation } from '../src/results/observe.js';
import { harnessProgress } from '../src/results/progress.js';

type ResultsSettings = Settings['harness']['results'];

/** A baseline that did not run as diverge's boots did: the bench must fail, not report. */
export class ReplayError extends Error {}

export interface ReplayOptions {
  /** A fresh directory for the scripts, the serial files and the exit statuses. */
  dir: string;
  /** Boots at once (diverge's `--jobs` for the run replayed). */
  jobs: number;
  /** The harness's `results` settings: how to tell from a replay's serial output how far it got. */
  results: ResultsSettings;
  /**
   * Run the recorded command lines as they are, without `forShell` (the defect this module
   * fixes): only to see the checks catch a baseline that does not run.
   */
  verbatim?: boolean;
}

export interface ReplayResult {
  boots: number;
  /** Wall time of the shell running every boot. */
  seconds: number;
}

/** A replay that did not end by itself is killed after this many times diverge's duration. */
const RUNAWAY_FACTOR = 3;
const RUNAWAY_MIN_S = 60;
/** `timeout -s KILL`'s status when it killed the command. */
const KILLED = 137;

/**
 * A boot's QEMU command line as a shell runs it: the same machine, kernel and harness, with the
 * serial ports written to plain files of `serialBase` (diverge's own serial files are gone with
 * its run: they are unlinked once QEMU has them open) and without the machine protocol diverge
 * holds on an inherited descriptor (`-S` and the QMP chardev on fd 3, which the shell has no end
 * of), so QEMU runs the guest at once and the guest's own exit ends it.
 */
export function forShell(command: readonly string[], serialBase: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < command.length; i++) {
    const arg = command[i] as string;
    const next = command[i + 1] ?? '';
    if (arg === '-S') continue;
    if (arg === '-chardev' && /^socket,id=qmp,/.test(next)) i++;
    else if (arg === '-mon' && next.startsWith('chardev=qmp,')) i++;
    else if (arg === '-chardev' && /^(pipe|file),id=(\w+),path=/.test(next)) {
      const id = /id=(\w+)/.exec(next)?.[1] ?? 'serial';
      out.push(arg, `file,id=${id},path=${serialBase}.${id}`);
      i++;
    } else out.push(arg);
  }
  // What the rewrite must have removed: a line still holding them cannot run from a shell.
  const left = out.find((a) => /\bfd=\d/.test(a) || a === '-S');
  if (left) throw new ReplayError(`forShell left ${JSON.stringify(left)} in a command line`);
  return out;
}

/** Observations of a directory of diverge's `observations/*.json` (`diverge boot`, references). */
export function observationsIn(dir: string): KernelObservation[] {
  if (!existsSync(dir)) throw new ReplayError(`${dir}: no observations to replay`);
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as KernelObservation);
}

const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;
const label = (o: KernelObservation) =>
  `${o.kernel}${o.test !== undefined ? `[${o.test}]` : ''}#${o.attempt}`;
const tail = (text: string, lines = 5) =>
  text.trimEnd().split('\n').slice(-lines).join('\n    ') || '(nothing)';

/**
 * Replays every boot of `observations` from a shell, `jobs` at once, and checks each one ran.
 * A boot diverge stopped (a hang's timeout or stall, a panic's grace, a quiet kernel after its
 * results: its recorded exit status is null) is ended by `timeout -s KILL` at the time diverge
 * took; the others must end by themselves, with the exit status diverge saw. Throws a
 * `ReplayError` naming every boot that failed.
 */
export function replayBoots(
  observations: readonly KernelObservation[],
  options: ReplayOptions,
): ReplayResult {
  if (observations.length === 0) throw new ReplayError('no boots to replay');
  const refused = observations.flatMap((o) => {
    if (o.boot.cached)
      return [`${label(o)}: taken from the observation cache, not booted: nothing to compare`];
    if (o.boot.outcome === 'qemu-error' || o.boot.outcome === 'infrastructure')
      return [`${label(o)}: diverge's own boot failed (${o.boot.outcome}): ${o.boot.message}`];
    return [];
  });
  if (refused.length > 0)
    throw new ReplayError(
      `the boots replayed must be boots diverge ran:\n  ${refused.join('\n  ')}`,
    );

  mkdirSync(options.dir, { recursive: true });
  const boots = observations.map((observation, i) => {
    const base = path.join(options.dir, String(i));
    const seconds = observation.boot.durationMs / 1000;
    const stoppedByDiverge = observation.boot.exitStatus === null;
    const limit = stoppedByDiverge ? seconds : Math.max(RUNAWAY_MIN_S, RUNAWAY_FACTOR * seconds);
    const command = options.verbatim
      ? observation.boot.command
      : forShell(observation.boot.command, `${base}.serial`);
    const script = `${base}.sh`;
    writeFileSync(
      script,
      `timeout -s KILL ${limit.toFixed(3)} ${command.map(quote).join(' ')} </dev/null >${quote(`${base}.stderr`)} 2>&1\necho $? >${quote(`${base}.status`)}\n`,
    );
    return { observation, base, script, stoppedByDiverge, limit };
  });
  const list = path.join(options.dir, 'list');
  writeFileSync(list, `${boots.map((b) => b.script).join('\n')}\n`);

  const started = performance.now();
  const xargs = spawnSync('sh', ['-c', `xargs -P ${options.jobs} -n 1 sh < ${quote(list)}`], {
    stdio: 'inherit',
  });
  const seconds = (performance.now() - started) / 1000;
  if (xargs.error) throw new ReplayError(`the replay did not start: ${xargs.error.message}`);

  const failures = boots.flatMap((boot) => {
    const problem = checkBoot(boot, options.results);
    return problem ? [`${label(boot.observation)} (${boot.script}): ${problem}`] : [];
  });
  // Each script ends with its own `echo`: anything but 0 is the shell's failure, not a boot's.
  if (xargs.status !== 0)
    failures.unshift(`xargs ended with ${xargs.signal ?? `status ${xargs.status}`}`);
  if (failures.length > 0)
    throw new ReplayError(
      `the shell baseline did not run as diverge's boots did (${boots.length} boots replayed from ${options.dir}), so it measures nothing:\n  ${failures.slice(0, 10).join('\n  ')}${failures.length > 10 ? `\n  … and ${failures.length - 10} more` : ''}`,
    );
  return { boots: boots.length, seconds };
}

/** What is wrong with one replayed boot, or undefined when it ran as diverge's did. */
function checkBoot(
  boot: { observation: KernelObservation; base: string; stoppedByDiverge: boolean; limit: number },
  results: ResultsSettings,
): string | undefined {
  const { observation, base } = boot;
  const record = observation.boot;
  const read = (file: string) => (existsSync(file) ? readFileSync(file) : Buffer.alloc(0));
  const stderr = read(`${base}.stderr`).toString('utf8');
  const statusText = read(`${base}.status`).toString('utf8').trim();
  if (statusText === '') return 'the shell never ran it';
  const status = Number(statusText);
  const qemuSaid = `; QEMU's stderr:\n    ${tail(stderr)}`;
  if (boot.stoppedByDiverge) {
    if (status !== KILLED)
      return `ended by itself with status ${status} before ${boot.limit.toFixed(1)} s, where diverge stopped its boot (${record.outcome})${qemuSaid}`;
  } else if (status === KILLED) {
    return `still running after ${boot.limit.toFixed(0)} s, killed (diverge's boot ended by itself with status ${record.exitStatus} after ${(record.durationMs / 1000).toFixed(1)} s)${qemuSaid}`;
  } else if (status !== record.exitStatus) {
    return `QEMU exited with status ${status}, diverge's with ${record.exitStatus}${qemuSaid}`;
  }

  const serial = read(`${base}.serial.console`);
  if (record.stage !== 'firmware' && serial.length === 0)
    return `its console is empty (diverge's boot reached stage ${record.stage})${qemuSaid}`;
  const reached = replayStage(serial, read(`${base}.serial.results`), results);
  const last = `; the replay's console ends:\n    ${tail(consoleLines(serial).join('\n'))}`;
  if (BOOT_STAGES.indexOf(reached.stage) < BOOT_STAGES.indexOf(record.stage))
    return `reached stage ${reached.stage}, diverge's boot stage ${record.stage}${last}`;
  if (
    record.stage === 'done' &&
    record.test === undefined &&
    reached.tests !== observation.tests.length
  )
    return `${reached.tests} test results, diverge's boot ${observation.tests.length}${last}`;
  if (record.splats.some((s) => s.kind === 'panic') && !reached.panic)
    return `no kernel panic on its console, where diverge's boot panicked${last}`;
  return undefined;
}

/**
 * How far a replayed boot got, told from its serial output as the boot monitor tells it: any
 * output is the kernel, Linux's hand-over to init, the harness's first result line, and results
 * complete as their format promises is done.
 */
function replayStage(
  consoleBytes: Buffer,
  resultsBytes: Buffer,
  results: ResultsSettings,
): { stage: BootStage; tests: number; panic: boolean } {
  let stage: BootStage = consoleBytes.length > 0 ? 'kernel' : 'firmware';
  const console = consoleLines(consoleBytes);
  let panic = false;
  console.forEach((line, i) => {
    stage = laterStage(stage, stageOfLine(line));
    if (detectSplat(line, i + 1)?.kind === 'panic') panic = true;
  });
  const lines = results.channel === 'console' ? console : consoleLines(resultsBytes);
  const progress = harnessProgress(results, Number.MAX_SAFE_INTEGER)();
  for (const line of lines) if (progress(line) !== 'none') stage = laterStage(stage, 'harness');
  const parsed = parseResults(
    results.format,
    results.channel === 'console' ? splitKernelMessages(lines) : lines,
    {
      ...(results.regex ? { regex: results.regex } : {}),
      transcriptId: results.test ?? 'transcript',
    },
  );
  if (parsed.complete && parsed.tests.length > 0) stage = laterStage(stage, 'done');
  return { stage, tests: parsed.tests.length, panic };
}
