import { mkdir, rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { DockerAccess } from '../docker/docker.js';
import type { Settings } from '../config/settings.js';
import type { RunContext } from '../context.js';
import {
  type BootIdentity,
  canonicalCommand,
  namedFiles,
  type ObservationCache,
} from '../results/observation-cache.js';
import {
  type Settings as ConfigSettings,
  TEST_PLACEHOLDER,
  testTimeout,
} from '../config/settings.js';
import { sha256File } from '../util/digest.js';
import { StorageError, writeOutput } from '../util/storage.js';
import { qemuCommand } from '../qemu/command.js';
import { prepareHarness } from '../harness/payload.js';
import { chooseAccel } from '../qemu/accel.js';
import { findQemu, qemuVersion, tiedLauncher } from '../qemu/binary.js';
import { tapTools } from '../qemu/network.js';
import { bootKernel, bootName, type SnapshotBoot } from '../qemu/boot.js';
import { restoreBoot, saveReadyVm, type SavedVm, sweepOrphans } from '../qemu/snapshot.js';
import { SavedVmCache } from '../qemu/saved-vm-cache.js';
import { UnrestorableVm } from '../qemu/qmp.js';
import { checkKernel, KernelFileError, kernelFormat } from '../qemu/kernel-image.js';
import { imageOf, isManyImages } from '../model/images.js';
import { compileGlob } from '../util/glob.js';
import { inParallel, type Limiter } from '../util/parallel.js';
import { defaultParallelism, jobsWithinMemory } from '../qemu/pool.js';
import { type KernelFormat, machineProfile } from '../model/machines.js';
import { type KernelObservation, observe } from '../results/observe.js';
import { prepareChecker } from '../results/checker.js';
import { harnessProgress } from '../results/progress.js';
import type { ScriptStep } from '../model/script.js';
import type { Accel } from '../model/boot.js';
import type { BootPlan } from '../qemu/plan.js';

/** A kernel to boot: its name (as reports show it), its file and its own disk images. */
export interface KernelInput {
  name: string;
  path: string;
  disks?: readonly string[];
}

export interface BootOptions {
  outDir: string;
  /** Docker, for a harness given as an image. */
  docker?: DockerAccess;
  /**
   * Kernels whose boots may come from (and go to) the observation cache, by name, with their
   * digests: the references. The candidate is always booted.
   */
  cached?: { cache: ObservationCache; digests: ReadonlyMap<string, string> };
  /** Boots at once; default from cores and memory. */
  jobs?: number;
  /** A queue shared with other work (builds, other kernels' boots) that every boot waits in. */
  limit?: Limiter;
  progress: (line: string) => void;
}

export interface BootRun {
  host: { qemu: string; accel: Accel; accelReason: string; cpus: number; jobs: number };
  harness: { digest: string; format: string; channel: string };
  observations: KernelObservation[];
}

const KERNEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Checks every kernel up front and reports all problems at once. */
async function checkKernels(kernels: readonly KernelInput[], settings: Settings): Promise<void> {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const kernel of kernels) {
    if (!KERNEL_NAME.test(kernel.name)) {
      problems.push(
        `kernel "${kernel.name}": a name is letters, digits, '.', '_' or '-' (at most 64), starting with a letter or digit`,
      );
      continue;
    }
    if (seen.has(kernel.name)) problems.push(`kernel "${kernel.name}": named twice`);
    seen.add(kernel.name);
    try {
      await checkKernel(kernel.name, kernel.path, settings.machine, settings.harness.tests);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (problems.length > 0) throw new KernelFileError(problems.join('\n'));
}

/** A firmware file must be there before any boot: QEMU's own error would blame every kernel. */
async function checkFirmware(firmware: string): Promise<void> {
  if (firmware === 'default' || firmware === 'none') return;
  const info = await stat(firmware).catch(() => undefined);
  if (!info?.isFile()) throw new KernelFileError(`machine.firmware: ${firmware} is not a file`);
}

/** Boots kernels with one prepared harness, machine and accelerator; see `prepareBoots`. */
export interface Booter {
  host: BootRun['host'];
  harness: BootRun['harness'];
  /**
   * Boots each kernel `attempts` times, numbered from `firstAttempt`: once per test of `tests`
   * (default `harness.tests`) when the harness boots once per test. Serial logs and
   * observations go under `outDir` (default: the one `prepareBoots` was given).
   */
  boot(
    kernels: readonly KernelInput[],
    attempts: number,
    firstAttempt: number,
    tests?: readonly string[],
    outDir?: string,
  ): Promise<KernelObservation[]>;
}

/** A step of a per-test boot: `{test}` replaced; a step that sends the test and names none is it. */
function stepFor(step: ScriptStep, test: string): ScriptStep {
  const named = step.test?.replaceAll(TEST_PLACEHOLDER, test);
  const sendsTest = step.send?.includes(TEST_PLACEHOLDER) ?? false;
  return {
    ...step,
    ...(step.send !== undefined ? { send: step.send.replaceAll(TEST_PLACEHOLDER, test) } : {}),
    ...(named !== undefined ? { test: named } : sendsTest ? { test } : {}),
  };
}

/**
 * The plan of one boot: a per-test boot has its test in the command line and the script, and
 * the time limit `harness.test-timeouts` gives it.
 */
function planFor(
  plan: BootPlan,
  test: string | undefined,
  limits: ConfigSettings['harness']['testTimeouts'],
): BootPlan {
  if (test === undefined) return plan;
  const limit = testTimeout(limits, test);
  return {
    ...plan,
    ...(plan.append !== undefined && { append: plan.append.replaceAll(TEST_PLACEHOLDER, test) }),
    // A disk that names its tests is attached to their boots only (Solo5's test_blk's disk).
    disks: plan.disks.filter((disk) => !disk.tests || disk.tests.some((g) => compileGlob(g)(test))),
    script: plan.script.map((step) => stepFor(step, test)),
    ...(limit && { testLimit: { test, ...limit } }),
  };
}

/**
 * Why the boots of a round cannot start from a VM saved at the harness's ready point (see
 * qemu/snapshot.ts), or undefined when they can: the ready point is the console script's first
 * prompt, and every boot of a kernel must be the same up to it. Per-test boots (`perTest`) part
 * there only when the first step sends the test; the reruns and repeats of a harness without
 * per-test boots are the same boot again, so any first prompt is a ready point for them.
 */
function snapshotBlocker(
  settings: ConfigSettings,
  plan: BootPlan,
  perTest: boolean,
): string | undefined {
  if (!settings.harness.snapshot) return 'harness.snapshot is false';
  const first = plan.script[0];
  if (!first) return 'the harness has no console script, so no ready point';
  if (plan.append?.includes(TEST_PLACEHOLDER))
    return 'the test is chosen at boot ({test} in machine.append)';
  if (perTest && !first.send?.includes(TEST_PLACEHOLDER))
    return "the console script's first step does not send {test}, so its prompt is not where the tests part";
  if (plan.boot === 'disk') return 'the kernel boots from a disk (machine.boot: disk)';
  if (plan.channel === 'serial2') return 'the results channel is the second serial port';
  // A saved VM would carry the saving boot's token into every test restored from it.
  if (plan.token !== 'none')
    return `result tokens are fresh per boot (harness.token: ${plan.token})`;
  // A saved VM's NIC would wake up on another boot's ports or namespace.
  if (plan.network) return 'the guest has a network (harness.network)';
  if (plan.driver) return 'a driver tests each boot (harness.driver)';
  return undefined;
}

/** A capture whose record says `note` besides its own message. */
function noted(capture: SnapshotBoot, note: string): SnapshotBoot {
  const join = (message?: string) => (message ? `${note}; ${message}` : note);
  return {
    ...capture,
    record: { ...capture.record, message: join(capture.record.message) },
    settle: (results) => {
      const record = capture.settle(results);
      return { ...record, message: join(record.message) };
    },
  };
}

/**
 * The files a boot's command line names, by path, with their content digests: a boot's cache
 * key holds their contents, not their paths (which change from run to run).
 */
async function commandFiles(
  settings: ConfigSettings,
  plan: BootPlan,
  workDir: string,
): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const add = async (file: string) => files.set(file, await sha256File(file));
  if (plan.initrd) await add(plan.initrd);
  for (const disk of plan.disks) await add(disk.file);
  const { firmware } = settings.machine;
  if (firmware !== 'default' && firmware !== 'none') await add(firmware);
  for (const { written, resolved } of await namedFiles(plan.qemuArgs, workDir)) {
    const digest = await sha256File(resolved);
    files.set(written, digest);
    files.set(resolved, digest);
  }
  return files;
}

/** The files a driver's command names (its script, its data), by the word, with their digests. */
async function driverFileDigests(
  command: readonly string[],
  workDir: string,
): Promise<Record<string, string>> {
  const digests: Record<string, string> = {};
  for (const { written, resolved } of await namedFiles(command, workDir))
    digests[written] = await sha256File(resolved);
  return digests;
}

/**
 * Checks the kernels and prepares what every boot shares (QEMU, accelerator, harness payload)
 * once, however many rounds of boots follow. Each observation is written to
 * `outDir/observations` as soon as its boot ends, so an interrupted run keeps what it had.
 */
export async function prepareBoots(
  context: RunContext,
  settings: Settings,
  kernels: readonly KernelInput[],
  options: BootOptions,
): Promise<Booter> {
  if (kernels.length === 0)
    throw new KernelFileError('no kernels to boot: give at least one --kernel NAME=PATH');
  await checkKernels(kernels, settings);
  await checkFirmware(settings.machine.firmware);
  const { machine, harness } = settings;
  const configDir = path.dirname(settings.configPath);
  const profile = machineProfile(machine.arch, machine.profile);
  const binary = await findQemu(profile, context.searchPath);
  const { checker: checkerSettings } = harness;
  if (checkerSettings && !options.docker)
    throw new KernelFileError(
      'harness.checker: the course checker runs in Docker, and this command has no Docker engine',
    );
  const [tap, launcher, accel, qemu, payload, checker] = await Promise.all([
    harness.network?.mode === 'tap' ? tapTools(context.searchPath) : undefined,
    tiedLauncher(context.searchPath),
    chooseAccel(machine.accel, profile, {
      cacheFile: context.cache.kvmProbe,
      buildId: context.buildId,
      searchPath: context.searchPath,
      tempDir: context.tempDir,
    }),
    qemuVersion(binary),
    prepareHarness(harness, path.join(options.outDir, 'harness'), {
      ...(options.docker ? { docker: options.docker } : {}),
      progress: options.progress,
      cache: context.cache,
      buildId: context.buildId,
      clock: context.clock,
    }),
    checkerSettings &&
      options.docker &&
      prepareChecker(options.docker, checkerSettings, {
        outDir: options.outDir,
        contextCache: context.cache.contexts,
        clock: context.clock,
        progress: options.progress,
      }),
  ]);
  options.progress(`QEMU ${qemu}, accel ${accel.accel} (${accel.reason})`);

  const plan: BootPlan = {
    profile,
    binary,
    accel: accel.accel,
    memoryMiB: machine.memoryMiB,
    cpus: machine.cpus,
    boot: machine.boot,
    ...(machine.commandLine && { commandLine: machine.commandLine }),
    ...(machine.append !== undefined && { append: machine.append }),
    qemuArgs: machine.qemuArgs,
    token: harness.token,
    tokenSend: harness.tokenSend,
    ...(machine.exit && { exitDevice: machine.exit }),
    crash: harness.crash,
    ...(payload.initrd ? { initrd: payload.initrd } : {}),
    disks: payload.disks,
    firmware: machine.firmware,
    ...(harness.network && { network: harness.network }),
    ...(tap && { tap }),
    ...(harness.driver && {
      driver: harness.driver,
      driverEnv: context.driverEnv ?? { PATH: context.searchPath.join(path.delimiter) },
    }),
    workDir: configDir,
    channel: harness.results.channel,
    script: payload.script,
    timeouts: harness.timeouts,
    serialCapBytes: harness.serialCapBytes,
    maxTests: harness.maxTests,
    harnessProgress: harnessProgress(harness.results, harness.maxTests),
    launcher,
    processes: context.processes,
    logDir: path.join(options.outDir, 'logs'),
    tempDir: context.tempDir,
    clock: context.clock,
  };
  const jobs = options.jobs
    ? jobsWithinMemory(options.jobs, machine.memoryMiB, options.progress)
    : defaultParallelism(machine.memoryMiB, machine.cpus);
  // What a reference boot depends on besides its kernel and its command line (whose files count
  // by content): a change to any of it is a cache miss.
  const shared = {
    harnessDigest: payload.digest,
    machine: {
      qemu,
      timeouts: harness.timeouts,
      serialCapBytes: harness.serialCapBytes,
      maxTests: harness.maxTests,
      crash: harness.crash,
      // The driver decides the results of its boots: its command (its files by content, see
      // commandFiles), readiness and limits; the network is in the command line.
      ...(harness.driver && {
        driver: {
          ...harness.driver,
          files: options.cached ? await driverFileDigests(harness.driver.command, configDir) : {},
        },
      }),
    },
    // The checker decides statuses: its image and command are part of what a boot observed.
    ...(checker && { checker: checker.identity }),
  };
  const files = options.cached ? await commandFiles(settings, plan, configDir) : new Map();
  // Per-test boots and reruns start from a VM saved once per kernel at the ready point, when they can.
  const blockers = {
    perTest: snapshotBlocker(settings, plan, true),
    whole: snapshotBlocker(settings, plan, false),
  };
  if (harness.tests && blockers.perTest && harness.snapshot)
    options.progress(`every per-test boot boots its kernel: no saved VM, as ${blockers.perTest}`);
  const savedVms = new SavedVmCache(
    context.cache.savedVms,
    context.buildId,
    context.clock,
    options.progress,
  );
  await sweepOrphans(context.tempDir, blockers.whole === undefined ? savedVms.dir : undefined);
  // Files' digests, for the saved VMs' keys: one hash of each file a run.
  const digests = new Map<string, Promise<string>>();
  const digestOf = (file: string) => {
    if (!digests.has(file)) digests.set(file, sha256File(file));
    return digests.get(file) as Promise<string>;
  };
  let namedOnce: Promise<Map<string, string>> | undefined;
  /** Everything that defines a kernel's saved VM, as its cache key (see qemu/saved-vm-cache.ts). */
  const savedVmKey = async (kernel: KernelInput & { format?: KernelFormat }) => {
    namedOnce ??= options.cached ? Promise.resolve(files) : commandFiles(settings, plan, configDir);
    const own = new Map(await namedOnce);
    for (const file of [kernel.path, ...(kernel.disks ?? [])]) own.set(file, await digestOf(file));
    return savedVms.key({
      qemu,
      harnessDigest: payload.digest,
      kernelDigest: own.get(kernel.path),
      command: canonicalCommand(qemuCommand(plan, kernel), own),
      ready: plan.script[0]?.expect,
    });
  };
  /**
   * One round of boots' saved VMs, one per kernel, saved when its first test or rerun boots (or
   * found in the saved-VM cache): each boot of the round starts from it. A kernel booted only
   * once in the round is saved only when the cache has it already (saving and restoring one boot
   * costs more than booting it). `dispose` removes what the cache did not take.
   */
  /** Kernels (by saved-VM key) that could not be saved: later rounds of this run do not try. */
  const unsavable = new Map<string, string>();
  const snapshotRound = (blocker: string | undefined, boots: ReadonlyMap<string, number>) => {
    /** Per kernel: its saved VM, or why it has none (its boots then boot cold, with that note). */
    type Ready = { saved: SavedVm } | { why: string } | { single: true };
    const saves = new Map<string, Promise<Ready>>();
    const leftovers: string[] = [];
    const keyOf = (kernel: KernelInput) => `${kernel.name}\0${kernel.path}`;
    const save = async (kernel: KernelInput & { format?: KernelFormat }): Promise<Ready> => {
      const key = await savedVmKey(kernel);
      const known = unsavable.get(key);
      if (known !== undefined) return { why: known };
      const cached = await savedVms.load(key, kernel.name);
      if (cached && 'refused' in cached) {
        options.progress(
          `${kernel.name}: no saved VM, as an earlier run found (${cached.refused}); its tests boot cold`,
        );
        const why = `no saved VM (${cached.refused}), so this boot booted cold`;
        unsavable.set(key, why);
        return { why };
      }
      if (cached) {
        options.progress(`${kernel.name}: its VM saved at the first prompt is in the cache`);
        return { saved: cached };
      }
      if ((boots.get(keyOf(kernel)) ?? 0) < 2) return { single: true };
      const dir = await savedVms.partial(key);
      leftovers.push(dir);
      try {
        const { saved, capture } = await saveReadyVm(plan, kernel, dir);
        const seconds = (capture.record.durationMs / 1000).toFixed(1);
        options.progress(
          `${kernel.name}: booted once to its first prompt and saved (${seconds} s)`,
        );
        return { saved: await savedVms.store(key, dir, saved) };
      } catch (error) {
        const reason = (error as Error).message;
        options.progress(
          `${kernel.name}: cannot save the VM at its first prompt (${reason}); its tests boot cold`,
        );
        const why = `no saved VM (${reason}), so this boot booted cold`;
        unsavable.set(key, why);
        if (error instanceof UnrestorableVm) await savedVms.refuse(key, reason);
        return { why };
      }
    };
    const readyVm = (kernel: KernelInput & { format?: KernelFormat }, limit: Limiter) => {
      const key = keyOf(kernel);
      if (!saves.has(key))
        saves.set(
          key,
          limit(() => save(kernel)),
        );
      return saves.get(key) as Promise<Ready>;
    };
    /** Boots `request` from its kernel's saved VM, else cold; a restore QEMU refused boots cold. */
    const bootOnce = async (
      bootPlan: BootPlan,
      request: Parameters<typeof bootKernel>[1],
      limit: Limiter,
      /** A kernel of many images: each test's image boots cold, as no VM is shared by two. */
      manyImages = false,
    ): Promise<SnapshotBoot> => {
      if (blocker !== undefined || manyImages) return limit(() => bootKernel(bootPlan, request));
      const ready = await readyVm(request.kernel, limit);
      if ('single' in ready) return limit(() => bootKernel(bootPlan, request));
      if ('why' in ready) return noted(await limit(() => bootKernel(bootPlan, request)), ready.why);
      const restored = await limit(() => restoreBoot(bootPlan, request, ready.saved));
      const refused =
        restored.snapshotError ??
        (restored.record.outcome === 'qemu-error' ? restored.record.message : undefined);
      if (refused === undefined) return restored;
      // Its other boots boot cold too: a state QEMU refused once is not trusted.
      const note = `the saved VM could not be restored (${refused}), so this boot booted cold`;
      saves.set(keyOf(request.kernel), Promise.resolve({ why: note }));
      options.progress(`${request.kernel.name}: ${note}`);
      return noted(await limit(() => bootKernel(bootPlan, request)), note);
    };
    const dispose = async () => {
      await Promise.all(saves.values());
      for (const dir of leftovers) await rm(dir, { recursive: true, force: true });
    };
    return { bootOnce, dispose };
  };
  const kernelDisks = new Map<string, Promise<string>>();
  // Each kernel's format: without machine.append it decides the kernel's command line.
  const formats = new Map<string, Promise<KernelFormat | undefined>>();
  const withFormat = async (kernel: KernelInput) => {
    if (!formats.has(kernel.path)) formats.set(kernel.path, kernelFormat(kernel.path));
    const format = await (formats.get(kernel.path) as Promise<KernelFormat | undefined>);
    return { ...kernel, ...(format && { format }) };
  };
  const identityOf = async (
    kernel: KernelInput & { format?: KernelFormat },
    kernelDigest: string,
    bootPlan: BootPlan,
    test: string | undefined,
  ): Promise<BootIdentity> => {
    const own = new Map(files);
    own.set(kernel.path, kernelDigest);
    for (const disk of kernel.disks ?? []) {
      if (!kernelDisks.has(disk)) kernelDisks.set(disk, sha256File(disk));
      own.set(disk, await (kernelDisks.get(disk) as Promise<string>));
    }
    const command = canonicalCommand(qemuCommand(bootPlan, kernel), own);
    // A per-test time limit shapes the boot as the timeouts do; a command line a boot disk
    // carries (machine.command-line) is in no QEMU argument.
    const machine = {
      ...shared.machine,
      ...(bootPlan.testLimit && { testLimitMs: bootPlan.testLimit.ms }),
      ...(bootPlan.commandLine && { commandLine: bootPlan.commandLine, append: bootPlan.append }),
    };
    return { ...shared, machine, kernelDigest, command, ...(test !== undefined ? { test } : {}) };
  };
  const boot = async (
    which: readonly KernelInput[],
    attempts: number,
    firstAttempt: number,
    tests: readonly string[] | undefined = harness.tests,
    outDir = options.outDir,
  ) => {
    const perKernel: (string | undefined)[] = tests ? [...tests] : [undefined];
    const observationsDir = path.join(outDir, 'observations');
    await mkdir(observationsDir, { recursive: true });
    const kernelPlan = { ...plan, logDir: path.join(outDir, 'logs') };
    const limit: Limiter = options.limit ?? (<R>(work: () => Promise<R>) => work());
    const requests = which.flatMap((kernel) =>
      perKernel.flatMap((test) =>
        Array.from({ length: attempts }, (_, i) => ({
          kernel,
          attempt: firstAttempt + i,
          ...(test !== undefined ? { test } : {}),
        })),
      ),
    );
    options.progress(
      `booting ${requests.length} time(s): ${which.length} kernel(s)${tests ? ` × ${tests.length} test(s)` : ''} × ${attempts}, ${jobs} at once`,
    );
    const boots = new Map<string, number>();
    for (const { kernel } of requests) {
      const key = `${kernel.name}\0${kernel.path}`;
      boots.set(key, (boots.get(key) ?? 0) + 1);
    }
    const round = snapshotRound(tests ? blockers.perTest : blockers.whole, boots);
    try {
      return await inParallel(requests, jobs, async (request) => {
        const bootPlan = planFor(kernelPlan, request.test, harness.testTimeouts);
        // A kernel of many images boots the image of its test (model/images.ts).
        const many = isManyImages(request.kernel.path);
        const kernel = await withFormat(
          many && request.test !== undefined
            ? { ...request.kernel, path: imageOf(request.kernel.path, request.test) }
            : request.kernel,
        );
        const name = bootName(request.kernel.name, request.attempt, request.test);
        const label = `${request.kernel.name}${request.test !== undefined ? `[${request.test}]` : ''}#${request.attempt}`;
        const digest = options.cached?.digests.get(request.kernel.name);
        const identity = digest && (await identityOf(kernel, digest, bootPlan, request.test));
        const cached =
          identity &&
          (await options.cached?.cache.load(
            identity,
            request.kernel.name,
            request.attempt,
            kernelPlan.logDir,
            request.test,
          ));
        const observed = async () => {
          const parsed = observe(
            await round.bootOnce(bootPlan, { ...request, kernel }, limit, many),
            harness.results,
            harness.maxTests,
          );
          return checker
            ? limit(() => checker.check(parsed, path.join(outDir, 'checker')))
            : parsed;
        };
        const observation = cached || (await observed());
        if (identity && !cached) await options.cached?.cache.save(identity, observation);
        // On a full disk the run goes on: the observation is in memory, and the report matters more.
        await writeOutput(
          path.join(observationsDir, `${name}.json`),
          `${JSON.stringify(observation, null, 2)}\n`,
          'the observation',
        ).catch((error: unknown) => {
          if (!(error instanceof StorageError)) throw error;
          context.unwritten.push(error.message);
          options.progress(`${error.message}; going on`);
        });
        if (cached) {
          options.progress(
            `${label}: from the observation cache (${observation.boot.outcome}, ${countStatuses(observation)})`,
          );
          return observation;
        }
        const counts = countStatuses(observation);
        const seconds = (observation.boot.durationMs / 1000).toFixed(1);
        options.progress(
          `${label}: ${observation.boot.outcome} at stage ${observation.boot.stage}, ${counts} (${seconds} s)` +
            (observation.boot.message ? ` — ${observation.boot.message}` : ''),
        );
        return observation;
      });
    } finally {
      await round.dispose();
    }
  };

  return {
    host: {
      qemu,
      accel: accel.accel,
      accelReason: accel.reason,
      cpus: availableParallelism(),
      jobs,
    },
    harness: {
      digest: payload.digest,
      format: harness.results.format,
      channel: harness.results.channel,
    },
    boot,
  };
}

/** Boots every kernel `harness.repeat` times with the shared harness. */
export async function bootKernels(
  context: RunContext,
  settings: Settings,
  kernels: readonly KernelInput[],
  options: BootOptions,
): Promise<BootRun> {
  const booter = await prepareBoots(context, settings, kernels, options);
  const observations = await booter.boot(kernels, settings.harness.repeat, 1);
  return { host: booter.host, harness: booter.harness, observations };
}

function countStatuses(observation: KernelObservation): string {
  const counts = new Map<string, number>();
  for (const test of observation.tests) {
    // A test the course checker could not judge has no status to count: say so instead.
    const key = test.unchecked !== undefined ? 'unchecked (harness.checker)' : test.status;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const parts = [...counts].map(([status, n]) => `${n} ${status}`);
  return `${observation.tests.length} test(s)${parts.length ? ` (${parts.join(', ')})` : ''}`;
}
