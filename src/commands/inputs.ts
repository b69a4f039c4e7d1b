/**
 * Validate, then touch: what a command checks of its inputs before it takes --out (and, for run
 * and boot, before it removes an earlier run's files there). A typo in a kernel path, a
 * reference, the config or a --test glob must not cost the user the previous report: every
 * problem found here is said at once, exit 2, with --out as it was.
 *
 * Only what can be known without building, fetching or booting is checked here; the rest (a
 * download, a Docker build, the tests the references report) fails later, as before.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { GOOD_REFERENCE } from '../bisect/commit.js';
import { checkSelection } from '../bisect/verdict.js';
import { loadExpectations } from '../compare/expectations.js';
import type { Settings } from '../config/settings.js';
import type { GitHubRun } from '../github/client.js';
import { checkRubric } from '../grade/rubric.js';
import { checkKernel } from '../qemu/kernel-image.js';
import { isManyImages } from '../model/images.js';
import { CANDIDATE, noRecipeFor } from '../references/resolve.js';
import { localBaseOf } from '../references/sources/base.js';
import type { KernelInput } from '../session/boots.js';

/** Inputs that cannot work (files missing, globs matching nothing), every one named: exit 2. */
export class InputError extends Error {}

type Problems = string[];

const kind = async (file: string) => {
  const info = await stat(file).catch(() => undefined);
  return info?.isFile() ? 'file' : info?.isDirectory() ? 'dir' : info ? 'other' : undefined;
};

/** A kernel file as the boots will check it (there, readable, an image the arch boots). */
async function kernelFile(problems: Problems, settings: Settings, name: string, file: string) {
  await checkKernel(name, file, settings.machine, settings.harness.tests).catch((error: Error) =>
    problems.push(error.message),
  );
}

/** As the boots will say it: `harness.dir: PATH is not a directory`. */
async function mustBe(problems: Problems, what: 'file' | 'dir', field: string, file: string) {
  if ((await kind(file)) !== what)
    problems.push(`${field}: ${file} is not a ${what === 'dir' ? 'directory' : 'file'}`);
}

/** A Docker build recipe whose context and Dockerfile are there (as docker/context.ts says). */
async function buildRecipe(
  problems: Problems,
  field: string,
  build: { context: string; dockerfile: string },
) {
  if ((await kind(build.context)) !== 'dir')
    problems.push(`${field}.context: ${build.context} is not a directory`);
  else if ((await kind(path.resolve(build.context, build.dockerfile))) !== 'file')
    problems.push(
      `${field}.dockerfile: no file ${build.dockerfile} in the context ${build.context}`,
    );
}

/** The machine and the harness: firmware, the harness payload, its disks, the expectations. */
async function bootInputs(problems: Problems, settings: Settings) {
  const { firmware } = settings.machine;
  if (firmware !== 'default' && firmware !== 'none')
    await mustBe(problems, 'file', 'machine.firmware', firmware);
  const { payload, disks } = settings.harness;
  if (payload.kind === 'initrd') await mustBe(problems, 'file', 'harness.initrd', payload.path);
  if (payload.kind === 'dir') await mustBe(problems, 'dir', 'harness.dir', payload.path);
  if (payload.kind === 'image' && payload.build)
    await buildRecipe(problems, 'harness.image.build', payload.build);
  for (const [i, disk] of disks.entries())
    await mustBe(problems, 'file', `harness.disks[${i}]`, disk.file);
}

async function expectationsFile(problems: Problems, settings: Settings) {
  await loadExpectations(settings.expectations).catch((error: Error) =>
    problems.push(error.message),
  );
}

/**
 * The references: the flags' kernel files or source directories (with a recipe to build them),
 * else the config's that are files on this host, and a `base: true` that a local run
 * (`run.local`) finds with git.
 */
async function references(
  problems: Problems,
  settings: Settings,
  flagged: readonly KernelInput[] | undefined,
  run?: GitHubRun,
) {
  const build = settings.kernel?.build;
  if (flagged && flagged.length > 0) {
    for (const r of flagged) {
      if (r.name === CANDIDATE) problems.push(`a reference cannot be named "${CANDIDATE}"`);
      else if ((await kind(r.path)) !== 'dir') await kernelFile(problems, settings, r.name, r.path);
      // A source directory, built with the recipe (references/resolve.ts).
      else if (!build) problems.push(noRecipeFor(r.name, r.path));
      else await buildRecipe(problems, 'kernel.build', build);
    }
    return;
  }
  for (const r of settings.references) {
    if (r.source.kind === 'file' && isManyImages(r.source.path))
      await kernelFile(problems, settings, r.name, r.source.path);
    else if (r.source.kind === 'file' && (await kind(r.source.path)) !== 'file')
      problems.push(`reference ${r.name}: no kernel file at ${r.source.path}`);
    if (r.source.kind === 'base' && run?.local && !run.baseSha && build)
      await localBaseOf(r, build.context, run.baseBranch).catch((error: Error) =>
        problems.push(error.message),
      );
  }
}

function verdict(problems: Problems): void {
  // Once each: a recipe two kernels are built with is checked for both.
  if (problems.length > 0) throw new InputError([...new Set(problems)].join('\n'));
}

/** `grading.points` globs, when the harness lists its tests (else checked once they are known). */
function rubric(problems: Problems, settings: Settings) {
  const tests = settings.harness.tests;
  if (!tests) return;
  try {
    checkRubric(settings.grading, tests, settings.configPath);
  } catch (error) {
    problems.push((error as Error).message);
  }
}

/**
 * `diverge run`: the candidate (flag, kernel.file or kernel.build), references, harness; with
 * `rubric` (a Gradescope file asked for) the rubric's globs.
 */
export async function checkRunInputs(
  settings: Settings,
  flags: {
    candidate?: string;
    references?: readonly KernelInput[];
    rubric?: boolean;
    /** What the environment says of the event, for `base: true`. */
    run?: GitHubRun;
  },
): Promise<void> {
  const problems: Problems = [];
  const kernel = settings.kernel;
  // A directory is a source tree, built with kernel.build's recipe (references/resolve.ts).
  if (flags.candidate && (await kind(flags.candidate)) === 'dir') {
    if (!kernel?.build) problems.push(noRecipeFor(CANDIDATE, flags.candidate));
    else await buildRecipe(problems, 'kernel.build', kernel.build);
  } else if (flags.candidate) await kernelFile(problems, settings, CANDIDATE, flags.candidate);
  else if (!kernel)
    problems.push(
      'no candidate kernel: pass --candidate PATH, or set kernel.build or kernel.file in diverge.yml',
    );
  else if (kernel.file !== undefined) {
    await kernelFile(problems, settings, CANDIDATE, kernel.file);
    for (const [i, extra] of kernel.extra.entries())
      await mustBe(problems, 'file', `kernel.extra[${i}]`, extra);
  } else await buildRecipe(problems, 'kernel.build', kernel.build);
  await references(problems, settings, flags.references, flags.run);
  await bootInputs(problems, settings);
  await expectationsFile(problems, settings);
  if (flags.rubric) rubric(problems, settings);
  verdict(problems);
}

/** `diverge boot`: each kernel file, and the harness. */
export async function checkBootInputs(
  settings: Settings,
  kernels: readonly KernelInput[],
): Promise<void> {
  const problems: Problems = [];
  for (const k of kernels) await kernelFile(problems, settings, k.name, k.path);
  await bootInputs(problems, settings);
  verdict(problems);
}

/** `diverge grade`: the references (--reference, else the config's), recipe, harness, rubric. */
export async function checkGradeInputs(
  settings: Settings,
  flagged?: readonly KernelInput[],
): Promise<void> {
  const problems: Problems = [];
  if (settings.kernel?.build) await buildRecipe(problems, 'kernel.build', settings.kernel.build);
  await references(problems, settings, flagged);
  await bootInputs(problems, settings);
  await expectationsFile(problems, settings);
  rubric(problems, settings);
  verdict(problems);
}

/**
 * `diverge bisect`: the recipe, the references (--reference, else the config's), the harness,
 * and the --test globs when the harness lists its tests (else they are checked once the
 * references have reported theirs: run/bisect.ts).
 */
export async function checkBisectInputs(
  settings: Settings,
  tests: readonly string[],
  flagged?: readonly KernelInput[],
  goodReference = true,
): Promise<void> {
  const problems: Problems = [];
  if (settings.kernel?.build) await buildRecipe(problems, 'kernel.build', settings.kernel.build);
  await references(problems, settings, flagged);
  const names = flagged?.length ? flagged : settings.references;
  if (goodReference && names.some((r) => r.name === GOOD_REFERENCE))
    problems.push(
      `reference ${GOOD_REFERENCE}: the good revision's kernel is the reference of that name: rename it, or pass --no-good-reference`,
    );
  await bootInputs(problems, settings);
  await expectationsFile(problems, settings);
  if (settings.harness.tests)
    try {
      checkSelection({ tests, classes: [] }, settings.harness.tests);
    } catch (error) {
      problems.push((error as Error).message);
    }
  verdict(problems);
}
