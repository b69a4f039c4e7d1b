/**
 * Reading back `boots.json`, the boots a run saved for `diverge compare`. The file may have been
 * edited, cut or replaced: it is checked field by field before anything is judged from it.
 */
import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { ACCELS, BOOT_OUTCOMES } from '../model/boot.js';
import { TEST_STATUSES } from '../model/results.js';
import { BOOT_STAGES } from '../model/stage.js';
import type { BootRun } from './boots.js';
import type { ReportKernel } from '../model/report.js';

/** What `diverge run` saves beside the report, so `diverge compare` can judge again without booting. */
export interface SavedRun extends BootRun {
  roles: { candidate: ReportKernel; references: ReportKernel[] };
  startedAt: string;
}

/** A saved run that cannot be judged: the message names the file and the field. */
export class SavedRunError extends Error {}

/** Largest boots.json diverge reads: V8 cannot hold a string of much more than 512 MiB. */
export const MAX_SAVED_RUN_BYTES = 500 * 1024 * 1024;

const kernel = z.looseObject({
  name: z.string(),
  source: z.record(z.string(), z.unknown()),
  digest: z.string(),
  broken: z.string().optional(),
});

const boot = z.looseObject({
  kernel: z.string(),
  attempt: z.number().int(),
  test: z.string().optional(),
  outcome: z.enum(BOOT_OUTCOMES),
  stage: z.enum(BOOT_STAGES),
  durationMs: z.number(),
  accel: z.enum(ACCELS),
  log: z.string(),
  resultsLog: z.string().optional(),
  splats: z.array(
    z.looseObject({
      kind: z.string(),
      message: z.string(),
      fingerprint: z.string(),
      line: z.number(),
    }),
  ),
  exitStatus: z.number().nullable(),
  message: z.string().optional(),
  logTruncated: z.boolean(),
  command: z.array(z.string()),
  token: z.string().optional(),
  cached: z.boolean().optional(),
});

const savedRun = z.looseObject({
  host: z.looseObject({
    qemu: z.string(),
    accel: z.enum(ACCELS),
    accelReason: z.string(),
    cpus: z.number(),
    jobs: z.number(),
  }),
  harness: z.looseObject({ digest: z.string(), format: z.string(), channel: z.string() }),
  observations: z.array(
    z.looseObject({
      kernel: z.string(),
      attempt: z.number().int(),
      test: z.string().optional(),
      boot,
      tests: z.array(
        z.looseObject({
          id: z.string(),
          status: z.enum(TEST_STATUSES),
          output: z.array(z.string()),
          directive: z.string().optional(),
          unchecked: z.string().optional(),
        }),
      ),
      complete: z.boolean(),
      problems: z.array(z.string()),
    }),
  ),
  roles: z.object({ candidate: kernel, references: z.array(kernel) }).optional(),
  startedAt: z.string().optional(),
});

const field = (at: PropertyKey[]) =>
  at.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('') || '.';

/** What `diverge compare --from DIR` says when DIR holds no saved run at `file`. */
export const noSavedRun = (file: string, fromDir: string) =>
  new SavedRunError(
    `${file}: no saved run here (run \`diverge run\` or \`diverge boot\` with --out ${fromDir} first)`,
  );

/** The run saved in `file`, checked; `fromDir` is named in the message when there is none. */
export async function readSavedRun(
  file: string,
  fromDir: string,
): Promise<Partial<SavedRun> & BootRun> {
  let text: string;
  try {
    const { size } = await stat(file);
    if (size > MAX_SAVED_RUN_BYTES)
      throw new SavedRunError(
        `${file}: ${size} bytes, more than the ${MAX_SAVED_RUN_BYTES} bytes diverge reads`,
      );
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof SavedRunError) throw error;
    throw noSavedRun(file, fromDir);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SavedRunError(`${file}: not JSON: ${(error as Error).message}`);
  }
  const result = savedRun.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues
      .slice(0, 10)
      .map((issue) => `${file}: ${field(issue.path)}: ${issue.message}`);
    throw new SavedRunError(
      `${problems.join('\n')}\n(not a run saved by diverge run or diverge boot)`,
    );
  }
  return result.data as Partial<SavedRun> & BootRun;
}
