/**
 * The schema of `diverge.yml` (kebab-case keys, as users write them) and the typed `Settings` it
 * turns into (camelCase, defaults applied, host paths absolute, sizes and durations converted).
 * Every field carries its own message so that errors read "expected <what>, got <value>".
 */
import path from 'node:path';
import { z } from 'zod';
import {
  DEFAULT_FAIL_ON,
  DIVERGENCE_CLASSES,
  type DivergenceClass,
  FAIL_ON_CLASSES,
} from '../model/classes.js';
import { MiB, parseDuration, parseSize } from '../model/units.js';
import { DEFAULT_BUILD_LIMITS } from '../model/limits.js';
import { BUILDER_CHOICES } from '../model/builder.js';
import { isManyImages } from '../model/images.js';
import { expected, list, nonEmptyList, oneOf, shown, strict, text } from './validation.js';
import {
  DEFAULT_TOKEN_SEND,
  TOKEN_MODES,
  TOKEN_PLACEHOLDER,
  type TokenMode,
} from '../model/token.js';
import { compileGlob } from '../util/glob.js';
import {
  type Arch,
  ARCHES,
  archMachines,
  BOOT_DISK_COMMAND_LINES,
  type BootDiskCommandLine,
  BOOT_MODES,
  type BootMode,
  bootDiskMachines,
  DEFAULT_EXIT_PORT,
  type Disk,
  DISK_FORMATS,
  DISK_INTERFACES,
  diskInterfacesOf,
  machineProfile,
  nicsOf,
  profilesOf,
} from '../model/machines.js';
import { commandLineProblem } from '../model/command-line.js';
import type { ScriptStep } from '../model/script.js';
import { consolePattern } from '../model/patterns.js';
import { ACCELS } from '../model/boot.js';
import { BUILTIN_NORMALIZATIONS } from '../model/report.js';
import { RESULTS_FORMATS } from '../model/results.js';
import { CHECKER_PLACEHOLDERS, DEFAULT_CHECKER_TIMEOUT_MS } from '../model/checker.js';
import {
  DEFAULT_DRIVER_TIMEOUT_MS,
  DEFAULT_MAC,
  DEFAULT_TAP_GUEST,
  DEFAULT_TAP_HOST,
  type DriverSettings,
  NETWORK_MODES,
  type NetworkSettings,
  NIC_MODELS,
} from '../model/network.js';

/** Where the name of the test a boot runs goes, in `machine.append` and a step's `send`. */
export const TEST_PLACEHOLDER = '{test}';
/** `machine.memory`'s cap: guests of a differential test need far less; more is a typo. */
export const MAX_GUEST_MEMORY_MIB = 64 * 1024;

function int(min: number, max?: number) {
  const error = expected(max === undefined ? `an integer ≥ ${min}` : `an integer ${min}..${max}`);
  const atLeast = z.number({ error }).int({ error }).min(min, { error });
  return max === undefined ? atLeast : atLeast.max(max, { error });
}

/**
 * A regular expression source that compiles; `withId` also wants a named group `(?<id>...)`,
 * `notEmpty` one that does not match an empty line (which would match every line).
 */
function regex(withId = false, notEmpty = false) {
  const what = withId
    ? 'a regular expression with a named group (?<id>...)'
    : notEmpty
      ? 'a regular expression that does not match an empty line'
      : 'a regular expression';
  return z.string({ error: expected(what) }).superRefine((source, ctx) => {
    let message: string | undefined;
    try {
      const pattern = consolePattern(source);
      // Matching '' through an added empty alternative lists every named group, matched or not.
      const groups = consolePattern(`${source}|`).exec('')?.groups ?? {};
      if (withId && !('id' in groups)) message = expected(what)({ input: source });
      if (notEmpty && pattern.test('')) message = expected(what)({ input: source });
    } catch (error) {
      const reason = (error as Error).message.replace(/^.*: /, '');
      message = `${expected('a regular expression')({ input: source })} (${reason})`;
    }
    if (message !== undefined) ctx.addIssue({ code: 'custom', message });
  });
}

/** A size or duration: `parse` throws on bad text, then `check` may name a stricter expectation. */
function converted(
  what: string,
  parse: (text: string | number) => number,
  check: (value: number) => string | undefined,
) {
  return z
    .union([z.string(), z.number()], { error: expected(what) })
    .transform((input, ctx) => {
      try {
        const value = parse(input);
        const stricter = check(value);
        if (stricter === undefined) return value;
        ctx.addIssue({ code: 'custom', message: expected(stricter)({ input }) });
      } catch {
        ctx.addIssue({ code: 'custom', message: expected(what)({ input }) });
      }
      return z.NEVER;
    })
    .meta({ description: what });
}

const duration = converted('a duration like 60s', parseDuration, (ms) =>
  ms > 0 ? undefined : 'a duration > 0',
);

/** An I/O port: a YAML number (`0x501` is one) or hex text. */
const ioPort = z.unknown().transform((input, ctx) => {
  const port =
    typeof input === 'number'
      ? input
      : typeof input === 'string' && /^0x[0-9a-f]{1,4}$/i.test(input.trim())
        ? Number.parseInt(input.trim(), 16)
        : NaN;
  if (Number.isInteger(port) && port > 0 && port <= 0xffff) return port;
  ctx.addIssue({ code: 'custom', message: expected('an I/O port like 0x501')({ input }) });
  return z.NEVER;
});

/**
 * `machine.exit`: `isa-debug-exit` (at the common port 0xf4), or the device with its port:
 * `{ device: isa-debug-exit, port: 0x501 }` (Pintos, Solo5).
 */
const EXIT_DEVICE = 'isa-debug-exit or { device: isa-debug-exit, port: 0x501 }';
const exitDevice = z
  .preprocess(
    (input) => (input === 'isa-debug-exit' ? { device: input } : input),
    z.strictObject(
      {
        device: z.literal('isa-debug-exit', { error: expected('isa-debug-exit') }),
        port: ioPort.optional(),
      },
      {
        error: (issue) =>
          issue.code === 'unrecognized_keys'
            ? 'unknown key (expected one of device, port)'
            : expected(EXIT_DEVICE)(issue),
      },
    ),
  )
  .transform(({ port }) => ({
    device: 'isa-debug-exit' as const,
    port: port ?? DEFAULT_EXIT_PORT,
  }))
  // The string form goes through the preprocess, which zod cannot see: `orPath` tells
  // schema/config.v1.json (config/json-schema.ts).
  .meta({ orPath: `${EXIT_DEVICE}: how a kernel without ACPI power-off ends the VM` });

/** Reports the second of mutually exclusive keys that are present; true when at most one is. */
function atMostOne(
  value: Record<string, unknown>,
  keys: readonly string[],
  ctx: z.RefinementCtx,
): boolean {
  const [first, second] = keys.filter((key) => value[key] !== undefined);
  if (second === undefined) return true;
  const message = `conflicts with ${first} (use only one of ${keys.join(', ')})`;
  ctx.addIssue({ code: 'custom', path: [second], message });
  return false;
}

const arch = oneOf(ARCHES);

const REFERENCE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const SOURCES = ['artifact', 'base', 'release', 'url', 'image', 'file'] as const;
const PAYLOADS = ['initrd', 'dir', 'image', 'none'] as const;
/** The share of a test's points each class earns when `grading.credit` does not say; the rest 0. */
export const DEFAULT_CREDIT: Partial<Record<DivergenceClass, number>> = {
  same: 1,
  fix: 1,
  expected: 1,
  flaky: 0.5,
};

/** The schema for a config file in `baseDir`; `configPath` is recorded in the result. */
export function settingsSchema(baseDir: string, configPath: string) {
  const resolve = (p: string) => path.resolve(baseDir, p);
  const hostPath = text('a path').transform(resolve);
  const isAbsolute = (p: string) => p.startsWith('/');
  const IN_IMAGE = 'an absolute path inside the image like /out/kernel.elf';
  const imagePath = text(IN_IMAGE, isAbsolute);
  const repository = text('a repository like owner/name', (s) => /^[\w.-]+\/[\w.-]+$/.test(s));

  const buildShape = {
    context: hostPath.default(baseDir),
    dockerfile: text('a Dockerfile path relative to context').default('Dockerfile'),
    target: text('a build stage name').optional(),
    // Docker build args are strings; YAML numbers and booleans are taken as written.
    args: z
      .record(
        z.string(),
        z
          .union([z.string(), z.number(), z.boolean()], { error: expected('a string') })
          .transform(String),
        { error: expected('a mapping of build arguments') },
      )
      .default({}),
  };
  const build = strict(buildShape);

  // Student code runs in kernel builds: each is bounded (src/model/limits.ts, docs/config.md).
  const limits = strict({
    memory: converted('a size like 4G', parseSize, (n) =>
      n >= 64 * MiB ? undefined : 'at least 64M',
    ).optional(),
    processes: int(16).optional(),
    time: duration.optional(),
    disk: converted('a size like 8G', parseSize, (n) =>
      n >= 16 * MiB ? undefined : 'at least 16M',
    ).optional(),
    network: z.boolean({ error: expected('true or false') }).optional(),
  }).transform((l) => ({
    memoryBytes: l.memory ?? DEFAULT_BUILD_LIMITS.memoryBytes,
    processes: l.processes ?? DEFAULT_BUILD_LIMITS.processes,
    timeMs: l.time ?? DEFAULT_BUILD_LIMITS.timeMs,
    diskBytes: l.disk ?? DEFAULT_BUILD_LIMITS.diskBytes,
    network: l.network ?? DEFAULT_BUILD_LIMITS.network,
  }));
  const kernelBuild = strict({
    ...buildShape,
    limits: limits.prefault({}),
    builder: oneOf(BUILDER_CHOICES).optional().meta({
      description:
        'The builder for this Dockerfile: auto (BuildKit only for a Dockerfile that needs it, the classic builder otherwise), buildkit, or classic. DIVERGE_BUILDER on a machine wins over it.',
    }),
  });

  const kernel = strict({
    build: kernelBuild.optional(),
    path: imagePath.optional(),
    extra: list(text('a path'), 'a list of paths').default([]),
    file: text('a path').optional(),
  }).transform(({ build, path: inImage, extra, file }, ctx) => {
    if (file !== undefined && build === undefined && inImage === undefined)
      return { file: resolve(file), extra: extra.map(resolve) };
    if (file === undefined && build !== undefined && inImage !== undefined) {
      // Extra files of a Docker-built kernel come out of the image, like the kernel itself.
      const relative = extra.findIndex((p) => !isAbsolute(p));
      if (relative < 0) return { build, path: inImage, extra };
      ctx.addIssue({
        code: 'custom',
        path: ['extra', relative],
        message: expected(IN_IMAGE)({ input: extra[relative] }),
      });
      return z.NEVER;
    }
    const message = 'expected either build with path (a Docker build) or file (already built)';
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  });

  const reference = strict({
    name: text("a name of letters, digits, '.', '_' and '-'", (s) => REFERENCE_NAME.test(s)).refine(
      (s) => s !== 'candidate',
      { error: '"candidate" is reserved for the kernel under test' },
    ),
    artifact: strict({
      repository: repository.optional(),
      workflow: text('a workflow file name').optional(),
      branch: text('a branch name').optional(),
      run: int(1).optional(),
      name: text('an artifact name'),
      path: text('a path inside the artifact', (s) => !s.startsWith('/')).optional(),
    }).optional(),
    base: z.literal(true, { error: expected('true') }).optional(),
    release: strict({
      repository: repository.optional(),
      tag: text('a release tag'),
      asset: text('an asset name'),
    }).optional(),
    url: text('an http:// or https:// URL', (s) => /^https?:\/\/\S+$/i.test(s)).optional(),
    sha256: text('64 hex digits', (s) => /^[0-9a-f]{64}$/i.test(s))
      .transform((s) => s.toLowerCase())
      .optional(),
    image: strict({
      ref: text('an image reference like ghcr.io/org/kernel:1.2'),
      path: imagePath,
    }).optional(),
    file: hostPath.optional(),
  }).transform(({ name, artifact, base, release, url, sha256, image, file }, ctx) => {
    if (!atMostOne({ artifact, base, release, url, image, file }, SOURCES, ctx)) return z.NEVER;
    if ((url === undefined) !== (sha256 === undefined)) {
      const message = url
        ? 'missing (a url needs its sha256, 64 hex digits)'
        : 'only valid with url';
      ctx.addIssue({ code: 'custom', path: ['sha256'], message });
      return z.NEVER;
    }
    const source = artifact
      ? { kind: 'artifact' as const, ...artifact }
      : base
        ? { kind: 'base' as const }
        : release
          ? { kind: 'release' as const, ...release }
          : url !== undefined && sha256 !== undefined
            ? { kind: 'url' as const, url, sha256 }
            : image
              ? { kind: 'image' as const, ...image }
              : file !== undefined
                ? { kind: 'file' as const, path: file }
                : undefined;
    if (source) return { name, source };
    ctx.addIssue({ code: 'custom', message: `expected one of ${SOURCES.join(', ')} besides name` });
    return z.NEVER;
  });

  const references = list(reference, 'a list of references').superRefine((refs, ctx) => {
    const seen = new Map<string, number>();
    refs.forEach(({ name }, i) => {
      const first = seen.get(name);
      if (first === undefined) seen.set(name, i);
      else {
        const message = `duplicate name ${shown(name)} (also references[${first}])`;
        ctx.addIssue({ code: 'custom', path: [i, 'name'], message });
      }
    });
  });

  const machine = strict({
    arch: arch.default('x86_64'),
    profile: text('a machine profile').optional(),
    // The least memory depends on the arch: checked below, once the arch is known.
    memory: converted(
      'a size like 256M',
      (s) => parseSize(s, MiB) / MiB,
      (mib) =>
        mib < 1
          ? 'at least 1M'
          : mib > MAX_GUEST_MEMORY_MIB
            ? `at most ${MAX_GUEST_MEMORY_MIB / 1024}G`
            : Number.isInteger(mib)
              ? undefined
              : 'whole MiB',
    ).default(256),
    cpus: int(1, 64).default(1),
    accel: oneOf(['auto', ...ACCELS]).default('auto'),
    append: z.string({ error: expected('a kernel command line') }).optional(),
    'qemu-args': list(
      z.string({ error: expected('a QEMU argument') }),
      'a list of QEMU arguments',
    ).default([]),
    exit: exitDevice.optional(),
    firmware: text('default, none or a firmware file').default('default'),
    boot: oneOf(BOOT_MODES).default('kernel').meta({
      description:
        'kernel: QEMU loads the kernel file (-kernel); disk: the kernel file is a bootable disk image, the first disk, which the firmware boots.',
    }),
    'command-line': oneOf(BOOT_DISK_COMMAND_LINES).optional().meta({
      description:
        "Where a boot disk's kernel reads machine.append (pintos: the Pintos loader's argument sector).",
    }),
  }).transform(({ arch, memory, cpus, accel, 'qemu-args': qemuArgs, exit, ...m }, ctx) => {
    const profiles = profilesOf(arch);
    const profile = m.profile ?? profiles[0];
    const { boot, 'command-line': commandLine } = m;
    if (!profiles.includes(profile)) {
      const message = expected(`one of ${profiles.join(', ')} for ${arch}`)({ input: profile });
      ctx.addIssue({ code: 'custom', path: ['profile'], message });
    } else checkBoot({ arch, profile, boot, commandLine, append: m.append }, ctx);
    if (exit && !archMachines(arch).debugExit) {
      const message = `isa-debug-exit needs an x86 machine, not ${arch}`;
      ctx.addIssue({ code: 'custom', path: ['exit'], message });
    }
    const { minMemoryMiB } = archMachines(arch);
    if (memory < minMemoryMiB) {
      const message = `expected at least ${minMemoryMiB}M on ${arch}, got ${memory}M`;
      ctx.addIssue({ code: 'custom', path: ['memory'], message });
    }
    // Without append, each kernel's format decides its command line (defaultAppend).
    const { append } = m;
    const firmware =
      m.firmware === 'default' || m.firmware === 'none' ? m.firmware : resolve(m.firmware);
    if (firmware === 'none' && !archMachines(arch).firmware.none) {
      const message = `${arch} cannot boot without firmware (expected default or a firmware file)`;
      ctx.addIssue({ code: 'custom', path: ['firmware'], message });
    }
    return {
      arch,
      profile,
      memoryMiB: memory,
      cpus,
      accel,
      ...(append !== undefined && { append }),
      qemuArgs,
      firmware,
      ...(exit && { exit }),
      boot,
      ...(commandLine && { commandLine }),
    };
  });

  const payloadImage = strict({
    build: build.optional(),
    ref: text('an image reference like ghcr.io/org/harness:1').optional(),
  }).transform((image, ctx) => {
    if (!atMostOne(image, ['build', 'ref'], ctx)) return z.NEVER;
    if (image.build || image.ref) return { kind: 'image' as const, ...image };
    ctx.addIssue({ code: 'custom', message: 'expected build or ref' });
    return z.NEVER;
  });

  const step = strict({
    expect: regex(),
    send: z.string({ error: expected('text to send') }).optional(),
    test: text('a test id').optional(),
    pass: regex().optional(),
    fail: regex().optional(),
    end: regex().optional(),
    timeout: duration.optional(),
  }).transform(({ timeout, ...step }) => ({
    ...step,
    ...(timeout !== undefined && { timeoutMs: timeout }),
  }));

  // A plain path is a disk on the machine's default interface, in raw format. zod cannot see
  // through the preprocess: `orPath` tells schema/config.v1.json (config/json-schema.ts).
  const disk = z
    .preprocess(
      (entry) => (typeof entry === 'string' ? { file: entry } : entry),
      strict({
        file: text('a path'),
        interface: oneOf(DISK_INTERFACES).optional(),
        format: oneOf(DISK_FORMATS).default('raw'),
        // Attached to the per-test boots of these tests only (globs over harness.tests).
        tests: list(text('a test name or glob'), 'a list of test names or globs').optional(),
      }),
    )
    .transform(({ file, ...d }): Disk => ({ file: resolve(file), ...d }))
    .meta({
      orPath:
        "a disk image file (raw, on the machine's default interface), or { file, interface, format, tests }",
    });

  const results = strict({
    format: oneOf(RESULTS_FORMATS).default('ktap'),
    // Default: the driver's stdout when there is a driver (harness.driver), else the console.
    channel: oneOf(['console', 'serial2', 'driver']).optional(),
    regex: strict({
      pass: regex(true),
      fail: regex(true),
      skip: regex(true).optional(),
      error: regex(true).optional(),
      start: regex().optional(),
    }).optional(),
    test: text('a test id').optional(),
  }).transform(({ format, channel, regex, test }, ctx) => {
    const misplaced = (key: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [key], message });
    if (format === 'regex' && !regex)
      misplaced('regex', 'missing (format regex needs pass and fail patterns)');
    if (format !== 'regex' && regex) misplaced('regex', 'only valid with format regex');
    if (format !== 'transcript' && test !== undefined)
      misplaced('test', 'only valid with format transcript');
    return {
      format,
      channel,
      ...(regex && { regex }),
      ...(format === 'transcript' && { test: test ?? 'transcript' }),
    };
  });

  const timeouts = strict({
    boot: duration.optional(),
    stall: duration.optional(),
    total: duration.optional(),
  }).transform((t, ctx) => {
    const totalMs = t.total ?? 300_000;
    // Defaults give way to a shorter total, so that setting only `total` stays valid.
    const bootMs = t.boot ?? Math.min(60_000, totalMs);
    const stallMs = t.stall ?? Math.min(20_000, totalMs);
    for (const [key, ms] of [
      ['boot', bootMs],
      ['stall', stallMs],
    ] as const) {
      if (ms <= totalMs) continue;
      const message = `expected at most the total timeout (${totalMs}ms), got ${ms}ms`;
      ctx.addIssue({ code: 'custom', path: [key], message });
    }
    return { bootMs, stallMs, totalMs };
  });

  // The course's own checker: run on each test's transcript in an image built from the config's
  // repository (never from a submission: a student could make their own checker pass).
  const placeholders = Object.values(CHECKER_PLACEHOLDERS) as string[];
  const checker = strict({
    build,
    command: nonEmptyList(
      z.string({ error: expected('a command-line word') }).superRefine((word, ctx) => {
        // A `{word}` that is not a placeholder is a typo; `$h{key}` and `${var}` (perl, shell) are not.
        const unknown = (word.match(/(?<![\w$])\{[a-z]+\}/g) ?? []).find(
          (p) => !placeholders.includes(p),
        );
        if (unknown !== undefined)
          ctx.addIssue({
            code: 'custom',
            message: `unknown placeholder ${unknown} (expected ${placeholders.join(' or ')})`,
          });
      }),
      'a command as a list of words, like [perl, check.pl, "{test}", "{output}"]',
    ),
    pass: regex().optional(),
    timeout: duration.default(DEFAULT_CHECKER_TIMEOUT_MS),
  }).transform(({ timeout, ...c }) => ({ ...c, timeoutMs: timeout }));

  // The guest network and the host-side driver (model/network.ts, docs/network.md).
  const tcpPort = int(1, 65535);
  const IPV4_PREFIX = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
  const cidr = text('an IPv4 address with its prefix length, like 10.0.2.15/24', (s) => {
    const m = IPV4_PREFIX.exec(s);
    return (
      m !== null &&
      m.slice(1, 5).every((b) => Number(b) <= 255) &&
      Number(m[5]) <= 30 &&
      Number(m[5]) >= 8
    );
  });
  const network = strict({
    mode: oneOf(NETWORK_MODES),
    nic: oneOf(NIC_MODELS).optional(),
    mac: text('a MAC address like 52:54:00:12:34:56', (s) =>
      /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(s),
    ).optional(),
    forward: list(tcpPort, 'a list of guest TCP ports').optional(),
    guest: cidr.optional(),
    host: cidr.optional(),
  }).transform(({ mode, nic, mac, forward, guest, host }, ctx): NetworkSettings => {
    const only = (key: string, modes: string) =>
      ctx.addIssue({ code: 'custom', path: [key], message: `only valid with mode ${modes}` });
    if (forward !== undefined && mode !== 'user') only('forward', 'user');
    if (guest !== undefined && mode !== 'tap') only('guest', 'tap');
    if (host !== undefined && mode !== 'tap') only('host', 'tap');
    const ports = forward ?? [];
    ports.forEach((port, i) => {
      if (ports.indexOf(port) !== i)
        ctx.addIssue({ code: 'custom', path: ['forward', i], message: `duplicate port ${port}` });
    });
    const guestAddress = guest ?? DEFAULT_TAP_GUEST;
    const hostAddress = host ?? DEFAULT_TAP_HOST;
    if (mode === 'tap') {
      const [g, gp] = guestAddress.split('/') as [string, string];
      const [h, hp] = hostAddress.split('/') as [string, string];
      if (g === h)
        ctx.addIssue({
          code: 'custom',
          path: ['host'],
          message: `the same address as guest (${g})`,
        });
      else if (gp !== hp || !sameSubnet(g, h, Number(hp)))
        ctx.addIssue({
          code: 'custom',
          path: ['host'],
          message: `expected an address in the guest's subnet (${guestAddress}), got ${shown(hostAddress)}`,
        });
    }
    return {
      mode,
      ...(nic && { nic }),
      mac: (mac ?? DEFAULT_MAC).toLowerCase(),
      forward: ports,
      guest: guestAddress,
      host: hostAddress,
    };
  });

  const driver = strict({
    command: nonEmptyList(
      z.string({ error: expected('a command-line word') }),
      'a command as a list of words, like [sh, drive.sh]',
    ),
    ready: strict({
      expect: regex().optional(),
      port: tcpPort.optional(),
    }).default({}),
    timeout: duration.default(DEFAULT_DRIVER_TIMEOUT_MS),
    'output-cap': converted('a size like 1M', parseSize, (n) =>
      n > 0 ? undefined : 'a size > 0',
    ).default(1 * MiB),
  }).transform(({ command, ready, timeout, 'output-cap': cap }): DriverSettings => ({
    command,
    ready: {
      ...(ready.expect !== undefined && { expect: ready.expect }),
      ...(ready.port !== undefined && { port: ready.port }),
    },
    timeoutMs: timeout,
    outputCapBytes: cap,
  }));

  const harness = strict({
    initrd: hostPath.optional(),
    dir: hostPath.optional(),
    image: payloadImage.optional(),
    none: z.literal(true, { error: expected('true') }).optional(),
    disks: list(disk, 'a list of disks').default([]),
    tests: list(text('a test id'), 'a list of test ids')
      .superRefine((tests, ctx) => {
        tests.forEach((test, i) => {
          if (tests.indexOf(test) !== i)
            ctx.addIssue({ code: 'custom', path: [i], message: `duplicate test ${shown(test)}` });
        });
      })
      .optional(),
    script: list(step, 'a list of steps')
      .superRefine((steps, ctx) => {
        steps.forEach((step, i) => {
          if (step.end !== undefined && i !== steps.length - 1) {
            const message = 'only valid on the last step (it ends the dialogue)';
            ctx.addIssue({ code: 'custom', path: [i, 'end'], message });
          }
        });
      })
      .default([]),
    results: results.prefault({}),
    timeouts: timeouts.prefault({}),
    // Per-test boots: the time limit of the tests a glob matches (the first entry that does).
    'test-timeouts': list(
      strict({ test: text('a test id or glob like "alarm-*"'), timeout: duration }),
      'a list of { test, timeout }',
    ).default([]),
    // Crash lines besides the built-in ones (src/qemu/crash-patterns.ts).
    crash: list(regex(false, true), 'a list of regular expressions').default([]),
    repeat: int(1).default(1),
    // Per-test boots start from a VM saved at the console script's first prompt (qemu/snapshot.ts).
    snapshot: z.boolean({ error: expected('true or false') }).default(true),
    'rerun-divergent': int(0).default(2),
    'serial-cap': converted('a size like 8M', parseSize, (n) =>
      n > 0 ? undefined : 'a size > 0',
    ).default(8 * MiB),
    'max-tests': int(1).default(10_000),
    checker: checker.optional(),
    // How the harness gets each boot's result token (model/token.ts); diverge's own /init does.
    token: oneOf(TOKEN_MODES).optional(),
    // `token: script`: the command typed before each step; its output must be the token alone.
    'token-send': z
      .string({ error: expected('text to send, with {token}') })
      .refine((send) => send.includes(TOKEN_PLACEHOLDER), {
        error: expected(`text to send, with ${TOKEN_PLACEHOLDER} where the token goes`),
      })
      .default(DEFAULT_TOKEN_SEND),
    network: network.optional().meta({
      description:
        'The guest network: mode user (forwarded ports on 127.0.0.1), tap (a private network namespace per boot) or socket (Ethernet frames over UDP on 127.0.0.1).',
    }),
    driver: driver.optional().meta({
      description:
        'A host command run for each boot once the guest is ready; its stdout is the results (results.channel: driver, the default with a driver), its stderr a log.',
    }),
  }).transform(({ initrd, dir, image, none, token, 'token-send': tokenSend, ...h }, ctx) => {
    if (!atMostOne({ initrd, dir, image, none }, PAYLOADS, ctx)) return z.NEVER;
    const channel = h.results.channel ?? (h.driver ? 'driver' : 'console');
    if (channel === 'driver' && !h.driver)
      ctx.addIssue({
        code: 'custom',
        path: ['results', 'channel'],
        message: 'the driver channel needs a driver (harness.driver)',
      });
    const ready = h.driver?.ready;
    if (
      ready?.port !== undefined &&
      h.network?.mode === 'user' &&
      !h.network.forward.includes(ready.port)
    )
      ctx.addIssue({
        code: 'custom',
        path: ['driver', 'ready', 'port'],
        message: `port ${ready.port} is not forwarded (add it to harness.network.forward)`,
      });
    if (ready?.port !== undefined && h.network?.mode !== 'user' && h.network?.mode !== 'tap')
      ctx.addIssue({
        code: 'custom',
        path: ['driver', 'ready', 'port'],
        message: 'needs a guest network the host reaches by TCP (harness.network.mode user or tap)',
      });
    const {
      'rerun-divergent': rerunDivergent,
      'serial-cap': serialCapBytes,
      'max-tests': maxTests,
      'test-timeouts': limits,
      ...rest
    } = h;
    const testTimeouts = limits.map(({ test, timeout }) => ({ test, timeoutMs: timeout }));
    const payload =
      initrd !== undefined
        ? { kind: 'initrd' as const, path: initrd }
        : dir !== undefined
          ? { kind: 'dir' as const, path: dir }
          : (image ?? { kind: 'none' as const });
    return {
      payload,
      ...rest,
      results: { ...rest.results, channel },
      token: token ?? (payload.kind === 'image' ? 'cmdline' : 'none'),
      tokenSend,
      testTimeouts,
      rerunDivergent,
      serialCapBytes,
      maxTests,
    };
  });

  const normalize = strict({
    builtin: list(oneOf(BUILTIN_NORMALIZATIONS), 'a list of builtin normalisations').default([
      ...BUILTIN_NORMALIZATIONS,
    ]),
    rules: list(
      strict({ match: regex(), replace: z.string({ error: expected('replacement text') }) }),
      'a list of rules',
    ).default([]),
    // Tests whose line order is the scheduler's: their lines are compared as a multiset.
    unordered: list(
      text('a test id or glob like "priority-*"'),
      'a list of test ids or globs',
    ).default([]),
  });

  // diverge grade and the course formats: points per test, and the share each class earns.
  const points = z
    .number({ error: expected('a number of points ≥ 0') })
    .min(0, { error: expected('a number of points ≥ 0') });
  const share = z
    .number({ error: expected('a share of the points, 0..1') })
    .min(0, { error: expected('a share of the points, 0..1') })
    .max(1, { error: expected('a share of the points, 0..1') });
  const grading = strict({
    points: list(
      strict({ test: text('a test id or glob like "alarm-*"'), points }),
      'a list of { test, points }',
    ).default([]),
    'default-points': points.default(1),
    credit: strict(
      Object.fromEntries(DIVERGENCE_CLASSES.map((cls) => [cls, share.optional()])) as Record<
        DivergenceClass,
        z.ZodOptional<typeof share>
      >,
    ).prefault({}),
    // diverge grade: each submission built by one command in a stage of kernel.build's recipe.
    build: strict({
      stage: text("a build stage name of kernel.build's Dockerfile"),
      copy: list(
        text(
          'a path relative to the submission',
          (p) => !p.startsWith('/') && !p.split('/').includes('..'),
        ),
        'a list of paths',
      ).optional(),
      run: text('a shell command'),
      path: text('a path like out/kernel.elf'),
      extra: list(text('a path'), 'a list of paths').default([]),
    }).optional(),
  }).transform(({ points, 'default-points': defaultPoints, credit, build }) => ({
    ...(build && { build }),
    points,
    defaultPoints,
    // Classes the config leaves out earn what DEFAULT_CREDIT says, else nothing.
    credit: Object.fromEntries(
      DIVERGENCE_CLASSES.map((cls) => [cls, credit[cls] ?? DEFAULT_CREDIT[cls] ?? 0]),
    ) as Record<DivergenceClass, number>,
  }));

  // The descriptions are what editors show from schema/config.v1.json (docs/config.md says more).
  const about = (description: string) => ({ description });
  return strict({
    kernel: kernel
      .optional()
      .meta(about('The kernel under test: built with Docker (build and path), or a file.')),
    references: references
      .default([])
      .meta(
        about(
          'The kernels the candidate is judged against: each a name and one source (file, url with sha256, image, artifact, release or base).',
        ),
      ),
    machine: machine
      .prefault({})
      .meta(about('The QEMU machine every kernel boots on: arch, profile, memory, cpus, accel.')),
    harness: harness
      .prefault({})
      .meta(
        about(
          'The harness every kernel boots with: its payload (initrd, dir, image or none), disks, tests, console script, results, timeouts and repeats.',
        ),
      ),
    normalize: normalize
      .prefault({})
      .meta(about('How console output is normalised before kernels are compared.')),
    compare: strict({
      output: z.boolean({ error: expected('true or false') }).default(true),
    })
      .prefault({})
      .meta(about("Whether each test's output is compared, besides its status.")),
    expectations: hostPath
      .default(resolve('.github/diverge-expectations.yml'))
      .meta(about('The expectations file: known divergences this project accepts.')),
    'fail-on': list(oneOf(FAIL_ON_CLASSES), 'a list of outcomes')
      .default(() => [...DEFAULT_FAIL_ON])
      .meta(about('The classes that fail the run.')),
    grading: grading
      .prefault({})
      .meta(
        about(
          'The rubric of diverge grade and the course formats: points per test, the share each class earns, and one-command builds.',
        ),
      ),
  })
    .superRefine(({ machine, harness, kernel, references }, ctx) =>
      checkMachineHarness(machine, harness, ctx, manyImagesIn(kernel, references)),
    )
    .superRefine(({ harness, normalize }, ctx) => {
      // With the tests listed, a glob that names none of them is a typo that would do nothing.
      const tests = harness?.tests;
      if (!tests || !normalize) return;
      normalize.unordered.forEach((glob, i) => {
        if (tests.some(compileGlob(glob))) return;
        const message = `${shown(glob)} matches none of harness.tests`;
        ctx.addIssue({ code: 'custom', path: ['normalize', 'unordered', i], message });
      });
    })
    .superRefine(({ kernel, grading }, ctx) => {
      if (grading?.build && !(kernel && 'build' in kernel && kernel.build)) {
        const message = "runs in a stage of kernel.build's Dockerfile: kernel.build is missing";
        ctx.addIssue({ code: 'custom', path: ['grading', 'build'], message });
      }
    })
    .superRefine(({ kernel, references, grading }, ctx) => {
      // A kernel of many images is built, stored and booted per test from this tree only: the
      // base commit's worktree build, the reference cache and grading.build keep one file.
      if (!(kernel && 'build' in kernel && kernel.path && isManyImages(kernel.path))) return;
      const many = `kernel.path names one image per test (${TEST_PLACEHOLDER})`;
      (references ?? []).forEach((reference, i) => {
        if (reference?.source.kind !== 'base') return;
        const message = `builds kernel.build at the base commit, but ${many}, and such a kernel is built from the working tree only: give the base's images as a reference file (file: with ${TEST_PLACEHOLDER}) or an image`;
        ctx.addIssue({ code: 'custom', path: ['references', i, 'base'], message });
      });
      if (grading?.build) {
        const message = `extracts one kernel file, but ${many}: build submissions with kernel.build's Dockerfile instead`;
        ctx.addIssue({ code: 'custom', path: ['grading', 'build'], message });
      }
    })
    .transform(({ 'fail-on': failOn, ...settings }) => ({ configPath, ...settings, failOn }));
}

/**
 * `machine.boot: disk` needs a machine whose firmware boots a disk, and a place for
 * `machine.append` (QEMU's -append reaches no boot disk); `machine.command-line` is that place.
 */
function checkBoot(
  machine: {
    arch: Arch;
    profile: string;
    boot: BootMode;
    commandLine?: string | undefined;
    append?: string | undefined;
  },
  ctx: z.RefinementCtx,
): void {
  const issue = (key: string, message: string) =>
    ctx.addIssue({ code: 'custom', path: [key], message });
  const { arch, profile, boot, commandLine, append } = machine;
  if (boot !== 'disk') {
    if (commandLine !== undefined)
      issue('command-line', 'only valid with machine.boot: disk (-append gives a kernel its own)');
    return;
  }
  if (!machineProfile(arch, profile).bootDisk)
    issue(
      'boot',
      `${arch} ${profile} boots no disk (machine.boot: disk runs on ${bootDiskMachines().join(', ')})`,
    );
  // `append: ''` says there is none, which a boot disk's kernel has anyway.
  if (append && commandLine === undefined)
    issue(
      'append',
      `a boot disk takes no -append: with machine.boot: disk, set machine.command-line to where its kernel reads the command line (${BOOT_DISK_COMMAND_LINES.join(', ')}), or remove machine.append`,
    );
}

/**
 * What the harness asks of the machine: disk interfaces it has, a place for `{test}`; and per-test
 * time limits that match a test of the per-test boots.
 */
function checkMachineHarness(
  machine: {
    arch: Arch;
    profile: string;
    append?: string;
    boot: BootMode;
    commandLine?: BootDiskCommandLine;
  },
  harness: {
    payload?: { kind: string };
    disks: readonly Disk[];
    tests?: readonly string[];
    script: readonly ScriptStep[];
    testTimeouts: readonly { test: string }[];
    token?: TokenMode;
    network?: NetworkSettings;
    driver?: DriverSettings;
  },
  ctx: z.RefinementCtx,
  /** Where a kernel's path names one image per test (`{test}`, model/images.ts), if any does. */
  manyImages?: (string | number)[],
): void {
  if (!machine || !harness) return; // already reported
  const nic = harness.network?.nic;
  if (nic && profilesOf(machine.arch).includes(machine.profile)) {
    const nics = nicsOf(machine.arch, machine.profile);
    if (!nics.includes(nic)) {
      const message = `${machine.arch} ${machine.profile} has no ${nic} (expected one of ${nics.join(', ')})`;
      ctx.addIssue({ code: 'custom', path: ['harness', 'network', 'nic'], message });
    }
  }
  if (profilesOf(machine.arch).includes(machine.profile)) {
    const accepted = diskInterfacesOf(machine.arch, machine.profile);
    harness.disks.forEach(({ interface: wanted }, i) => {
      if (wanted === undefined || accepted.includes(wanted)) return;
      const message = `${machine.arch} ${machine.profile} has no ${wanted} disks (expected one of ${accepted.join(', ')})`;
      ctx.addIssue({ code: 'custom', path: ['harness', 'disks', i, 'interface'], message });
    });
  }
  // The token rides on -append, which a boot disk has none of.
  if (machine.boot === 'disk' && harness.token === 'cmdline') {
    const message = `a boot disk has no kernel command line to carry the token (machine.boot: disk): set harness.token: none`;
    ctx.addIssue({ code: 'custom', path: ['harness', 'token'], message });
  }
  if (harness.token === 'script' && !harness.script.some((step) => step.send !== undefined)) {
    const message = `token: script types the token before each step that sends a command, and harness.script has none`;
    ctx.addIssue({ code: 'custom', path: ['harness', 'token'], message });
  }
  // The harness's initrd rides on -kernel, which a boot disk has none of.
  const kind = harness.payload?.kind; // undefined: a problem of its own, already reported
  if (machine.boot === 'disk' && kind !== undefined && kind !== 'none') {
    const message = `a boot disk loads no initrd (machine.boot: disk): give the harness as disks and a console script`;
    ctx.addIssue({ code: 'custom', path: ['harness', kind], message });
  }
  const inAppend = machine.append?.includes(TEST_PLACEHOLDER) ?? false;
  const inSend = harness.script.findIndex((step) => step.send?.includes(TEST_PLACEHOLDER));
  // A driver is told the boot's test (DIVERGE_TEST, {test} in its command): it may be the one to run it.
  if (harness.tests && !inAppend && inSend < 0 && !manyImages && !harness.driver) {
    const message = `each test boots with ${TEST_PLACEHOLDER} replaced by its name: put ${TEST_PLACEHOLDER} in machine.append, in a step's send, or in the kernel's path (one image per test), or run the tests with harness.driver`;
    ctx.addIssue({ code: 'custom', path: ['harness', 'tests'], message });
  }
  if (!harness.tests && manyImages) {
    const message = `a kernel of one image per test (${TEST_PLACEHOLDER} in its path) boots once per test: list the tests in harness.tests`;
    ctx.addIssue({ code: 'custom', path: manyImages, message });
  }
  (harness.disks ?? []).forEach((disk, i) => {
    const unmatched = disk.tests?.find((glob) => !harness.tests?.some(compileGlob(glob)));
    if (unmatched === undefined) return;
    const message = !harness.tests
      ? 'a disk for some tests is attached to their per-test boots: list the tests in harness.tests'
      : `${JSON.stringify(unmatched)} matches none of harness.tests`;
    ctx.addIssue({ code: 'custom', path: ['harness', 'disks', i, 'tests'], message });
  });
  if (!harness.tests && (inAppend || inSend >= 0)) {
    const message = `${TEST_PLACEHOLDER} is replaced only in per-test boots: list the tests in harness.tests`;
    const at = inAppend ? ['machine', 'append'] : ['harness', 'script', inSend, 'send'];
    ctx.addIssue({ code: 'custom', path: at, message });
  }
  const { tests } = harness;
  // A boot disk's command line has a size: every boot's, {test} replaced, must fit, or none boots.
  if (machine.commandLine && machine.append !== undefined) {
    const { commandLine, append } = machine;
    const lines =
      inAppend && tests ? tests.map((t) => append.replaceAll(TEST_PLACEHOLDER, t)) : [append];
    const problem = lines.map((line) => commandLineProblem(commandLine, line)).find(Boolean);
    if (problem) ctx.addIssue({ code: 'custom', path: ['machine', 'append'], message: problem });
  }
  // Undefined when harness had problems of its own (already reported).
  (harness.testTimeouts ?? []).forEach(({ test: glob }, i) => {
    const message = !tests
      ? 'limits per-test boots: list the tests in harness.tests (a console step has its own timeout)'
      : tests.some(compileGlob(glob))
        ? undefined
        : `${shown(glob)} matches none of harness.tests`;
    if (message !== undefined)
      ctx.addIssue({ code: 'custom', path: ['harness', 'test-timeouts', i, 'test'], message });
  });
}

/** The config path of the first kernel whose path holds `{test}`: one image per test. */
function manyImagesIn(
  kernel: { path?: string; file?: string } | undefined,
  references: readonly ({ source?: { kind: string; path?: string } } | undefined)[] | undefined,
): (string | number)[] | undefined {
  if (kernel?.path?.includes(TEST_PLACEHOLDER)) return ['kernel', 'path'];
  if (kernel?.file?.includes(TEST_PLACEHOLDER)) return ['kernel', 'file'];
  const i = (references ?? []).findIndex(
    // A reference with problems of its own (already reported) may be anything.
    (r) => r?.source?.kind === 'file' && (r.source.path?.includes(TEST_PLACEHOLDER) ?? false),
  );
  return i >= 0 ? ['references', i, 'file'] : undefined;
}

/** Whether two IPv4 addresses are in one subnet of `prefix` bits. */
function sameSubnet(a: string, b: string, prefix: number): boolean {
  const value = (ip: string) => ip.split('.').reduce((n, byte) => n * 256 + Number(byte), 0);
  const size = 2 ** (32 - prefix);
  return Math.floor(value(a) / size) === Math.floor(value(b) / size);
}

/** The time limit `harness.test-timeouts` gives `test`: the first entry whose glob matches it. */
export function testTimeout(
  limits: readonly { test: string; timeoutMs: number }[],
  test: string,
): { glob: string; ms: number } | undefined {
  const entry = limits.find((limit) => compileGlob(limit.test)(test));
  return entry && { glob: entry.test, ms: entry.timeoutMs };
}

export type Settings = z.output<ReturnType<typeof settingsSchema>>;
