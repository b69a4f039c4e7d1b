/**
 * The course's own checker (`harness.checker`): Pintos' `.ck` scripts, a staff's grading
 * script. After a boot's results are parsed, each test it reported is checked: its transcript
 * (the lines the kernel printed for it, as the results format defines them) is put in a
 * container of the checker's image, read-only, and the checker's verdict and message become
 * the test's status and output. The differential judgement then runs on top, as for any
 * harness: a test the references fail too is not the candidate's regression.
 *
 * The image is built from the config's repository, never from a submission's tree (a student
 * could make their own checker pass). Each run has no network, no capabilities, a read-only
 * root, no environment of the host's, bounded memory, processes, time and output. A checker
 * that cannot run leaves the test `unchecked`: an infrastructure outcome, never a pass.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../context.js';
import type { Settings } from '../config/settings.js';
import { runContainer } from '../docker/container.js';
import type { DockerAccess } from '../docker/docker.js';
import { buildImage } from '../docker/image.js';
import { bootName } from '../qemu/boot.js';
import {
  CHECKABLE_TEST_ID,
  CHECKER_DIR,
  CHECKER_LIMITS,
  CHECKER_PLACEHOLDERS,
  CHECKER_VERDICT_EXITS,
} from '../model/checker.js';
import { consolePattern } from '../model/patterns.js';
import type { TestObservation, TestStatus } from '../model/results.js';
import { consoleLines } from '../util/console.js';
import type { KernelObservation } from './observe.js';

export type CheckerSettings = NonNullable<Settings['harness']['checker']>;

const FIELD = 'harness.checker';

/** What the checker's verdicts depend on besides the transcript: part of a cached boot's key. */
export interface CheckerIdentity {
  image: string;
  command: readonly string[];
  pass?: string;
  timeoutMs: number;
}

export interface Checker {
  identity: CheckerIdentity;
  /**
   * The observation with each reported test checked; transcripts go under `dir`, one folder per
   * boot, so the report's folder shows what the checker read.
   */
  check(observation: KernelObservation, dir: string): Promise<KernelObservation>;
}

/** The statuses a checker decides: what the harness reported as a result, not a skip or a death. */
const CHECKED: readonly TestStatus[] = ['pass', 'fail'];

/** What a checker run came to for one test. */
export type CheckOutcome =
  { status: 'pass' | 'fail'; message: string[] } | { unchecked: string; message: string[] };

/**
 * Reads a finished checker run: exit 0 or 1 is a verdict (the `pass` pattern over its standard
 * output decides when given, else exit 0 passes); a timeout, the memory limit or any other exit
 * status is the checker's own failure. `output` is everything it printed, for the message.
 */
export function readCheck(
  run: { exitCode: number | null; timedOut: boolean; oomKilled: boolean },
  stdout: Buffer,
  output: Buffer,
  settings: Pick<CheckerSettings, 'pass' | 'timeoutMs'>,
): CheckOutcome {
  const message = checkerMessage(output);
  if (run.timedOut)
    return {
      unchecked: `the checker did not finish within ${settings.timeoutMs / 1000} s (${FIELD}.timeout)`,
      message,
    };
  if (run.oomKilled)
    return {
      unchecked: `the checker was killed at its memory limit (${CHECKER_LIMITS.memoryBytes / 2 ** 20} MiB)`,
      message,
    };
  if (run.exitCode === null || !CHECKER_VERDICT_EXITS.includes(run.exitCode))
    return {
      unchecked: `the checker failed: exit status ${run.exitCode} (0 or 1 is a verdict)${message.length ? `: ${message.at(-1)}` : ''}`,
      message,
    };
  const passed =
    settings.pass !== undefined
      ? consolePattern(settings.pass).test(consoleLines(stdout).join('\n'))
      : run.exitCode === 0;
  return { status: passed ? 'pass' : 'fail', message };
}

/**
 * The checker's output as the test's lines: clean (no escapes, no control bytes), and at most
 * CHECKER_LIMITS.messageBytes of it, its start and its end (a verdict may open or close it).
 */
export function checkerMessage(output: Buffer): string[] {
  const cap = CHECKER_LIMITS.messageBytes;
  if (output.length <= cap) return consoleLines(output);
  const half = cap / 2;
  return [
    ...consoleLines(output.subarray(0, half)),
    `… ${output.length - cap} bytes of the checker's output left out …`,
    ...consoleLines(output.subarray(output.length - half)),
  ];
}

/** The command for one test: `{test}` and `{output}` replaced in each word. */
export function checkerCommand(command: readonly string[], test: string): string[] {
  const output = `${CHECKER_DIR}/${test}.output`;
  return command.map((word) =>
    word
      .replaceAll(CHECKER_PLACEHOLDERS.test, test)
      .replaceAll(CHECKER_PLACEHOLDERS.output, output),
  );
}

/** Collects a stream up to `cap` bytes, counting the rest. */
class Capped {
  private chunks: Buffer[] = [];
  private size = 0;
  dropped = 0;
  constructor(private readonly cap: number) {}
  add(chunk: Buffer): void {
    const room = Math.max(0, this.cap - this.size);
    if (room < chunk.length) this.dropped += chunk.length - room;
    if (room === 0) return;
    const kept = chunk.subarray(0, room);
    this.chunks.push(kept);
    this.size += kept.length;
  }
  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/**
 * Builds the checker's image (from the config's repository: `harness.checker.build`) once for
 * the session. A checker that cannot be built is the config's problem, and stops the run before
 * any boot, naming the field (the BuildError of any image).
 */
export async function prepareChecker(
  access: DockerAccess,
  settings: CheckerSettings,
  options: {
    outDir: string;
    contextCache: string;
    clock: Clock;
    progress: (line: string) => void;
  },
): Promise<Checker> {
  const docker = await access.client();
  const image = await buildImage(docker, {
    recipe: settings.build,
    field: `${FIELD}.build`,
    role: 'checker',
    logFile: path.join(options.outDir, 'logs', 'build-checker.log'),
    progress: options.progress,
    contextCache: options.contextCache,
    clock: options.clock,
  });
  options.progress(`${FIELD}: image ${image.tag}${image.cached ? ' (built before)' : ''}`);
  const identity: CheckerIdentity = {
    image: image.id,
    command: settings.command,
    ...(settings.pass !== undefined && { pass: settings.pass }),
    timeoutMs: settings.timeoutMs,
  };

  const checkOne = async (test: TestObservation, dir: string): Promise<CheckOutcome> => {
    if (!CHECKABLE_TEST_ID.test(test.id))
      return {
        unchecked: `the test id is not one a checker is given (letters, digits, '.', '_', '-', at most 128): not checked`,
        message: [],
      };
    const transcript = path.join(dir, `${test.id}.output`);
    await writeFile(transcript, test.output.map((line) => `${line}\n`).join(''));
    const stdout = new Capped(CHECKER_LIMITS.outputBytes);
    const output = new Capped(CHECKER_LIMITS.outputBytes);
    const scratch = `rw,noexec,nosuid,size=${CHECKER_LIMITS.scratchBytes}`;
    try {
      const run = await runContainer(
        docker,
        {
          Image: image.id,
          Cmd: checkerCommand(settings.command, test.id),
          // Only the image's own environment: nothing of the host's, no token.
          Env: [],
          NetworkDisabled: true,
          Labels: { 'diverge.role': 'checker' },
          HostConfig: {
            NetworkMode: 'none',
            Memory: CHECKER_LIMITS.memoryBytes,
            MemorySwap: CHECKER_LIMITS.memoryBytes,
            PidsLimit: CHECKER_LIMITS.processes,
            ReadonlyRootfs: true,
            CapDrop: ['ALL'],
            SecurityOpt: ['no-new-privileges'],
            // CHECKER_DIR is writable scratch (Pintos' .ck writes its .result beside the
            // .output); the transcript in it is the host's file, read-only.
            Tmpfs: { [CHECKER_DIR]: scratch, '/tmp': scratch },
            // A mount, not a `Binds` string, which a `:` in the run's folder would break.
            Mounts: [
              {
                Type: 'bind',
                Source: transcript,
                Target: `${CHECKER_DIR}/${test.id}.output`,
                ReadOnly: true,
              },
            ],
          },
        },
        {
          timeMs: settings.timeoutMs,
          onStdout: (chunk) => {
            stdout.add(chunk);
            output.add(chunk);
          },
          onStderr: (chunk) => output.add(chunk),
        },
      );
      return readCheck(run, stdout.bytes, output.bytes, settings);
    } catch (error) {
      // The engine refusing the container (a missing image, a bad mount) or gone: this test's
      // check failed, not the kernel; the run goes on and the report says so.
      return {
        unchecked: `the checker could not be run: ${(error as Error).message}`,
        message: [],
      };
    }
  };

  return {
    identity,
    async check(observation, dir) {
      if (!observation.tests.some((t) => CHECKED.includes(t.status))) return observation;
      const bootDir = path.resolve(
        dir,
        bootName(observation.kernel, observation.attempt, observation.test),
      );
      await mkdir(bootDir, { recursive: true });
      const tests: TestObservation[] = [];
      for (const test of observation.tests) {
        if (!CHECKED.includes(test.status)) {
          tests.push(test);
          continue;
        }
        const outcome = await checkOne(test, bootDir);
        // The checker's verdict replaces the harness's, directive (TODO, SKIP) and all.
        const checked = { id: test.id, output: outcome.message };
        tests.push(
          'unchecked' in outcome
            ? { ...checked, status: test.status, unchecked: outcome.unchecked }
            : { ...checked, status: outcome.status },
        );
      }
      return { ...observation, tests };
    },
  };
}
