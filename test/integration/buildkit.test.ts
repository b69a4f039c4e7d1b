/**
 * Kernel builds with the Docker engine's BuildKit (the Engine API's `version=2` build with a
 * session), in the real engine: a cache mount that outlives the build, BuildKit's progress as
 * the plain-text build log, failures that name `kernel.build`, a `# syntax=` frontend that cannot
 * be pulled, heredocs, and the classic builder when BuildKit is turned off or the engine says it
 * has none.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import Docker from 'dockerode';
import type { BuilderChoice } from '../../src/model/builder.js';
import { dockerAccess } from '../../src/docker/docker.js';
import { BuildError } from '../../src/docker/errors.js';
import { buildKernel, type DockerKernelSettings } from '../../src/docker/kernel.js';
import { submissionBuilder } from '../../src/docker/submission.js';
import { cli, configIn, fixtureKernels, scratchDir, testContext } from '../helpers/fixtures.js';

const context = testContext('buildkit');
const nonce = () => `n${Date.now()}${Math.random().toString(36).slice(2, 8)}`;

/** A kernel project: `ctx/Dockerfile` and `ctx/kernel.c`, with /out/count as an extra file. */
function project(label: string, dockerfile: string, source = 'one', builder = '') {
  const dir = scratchDir(label);
  const ctx = path.join(dir, 'ctx');
  mkdirSync(ctx);
  writeFileSync(path.join(ctx, 'Dockerfile'), dockerfile);
  writeFileSync(path.join(ctx, 'kernel.c'), `${source}\n`);
  const { settings, file } = configIn(
    dir,
    [
      'kernel:',
      `  build: { context: ctx, target: kernel${builder && `, builder: ${builder}`} }`,
      '  path: /out/kernel.elf',
      '  extra: [/out/count]',
      '',
    ].join('\n'),
  );
  return { dir, ctx, file, kernel: settings.kernel as DockerKernelSettings };
}

async function build(
  kernel: DockerKernelSettings,
  outDir: string,
  builder: BuilderChoice | undefined,
  docker?: () => Docker,
) {
  const lines: string[] = [];
  const access = dockerAccess(context.dockerHost, docker, undefined, undefined, builder);
  const built = await buildKernel(access, kernel, {
    variant: 'default',
    outDir,
    progress: (line) => lines.push(line),
    contextCache: context.cache.contexts,
    clock: context.clock,
  });
  const log = readFileSync(path.join(outDir, 'logs', 'build-kernel.log'), 'utf8');
  const count = readFileSync(built.extra[0]?.path ?? '', 'utf8').trim();
  return { built, lines, log, count };
}

/** Counts its runs in a cache mount of its own: the count is the kernel's extra file. */
const counting = (id: string) =>
  [
    'FROM debian:bookworm-slim AS kernel',
    'COPY kernel.c /src/kernel.c',
    `RUN --mount=type=cache,id=${id},target=/cache \\`,
    '    n=$(cat /cache/count 2>/dev/null || echo 0); n=$((n+1)); echo $n > /cache/count; \\',
    '    mkdir -p /out && cp /src/kernel.c /out/kernel.elf && echo $n > /out/count; \\',
    `    echo "built $n times"; printf '\\033[1;31mcoloured\\033[0m line\\n'`,
    '',
  ].join('\n');

describe('kernel.build with BuildKit', () => {
  it('a RUN --mount=type=cache keeps its cache between builds; the log is BuildKit progress as plain text', async () => {
    const id = `diverge-test-${nonce()}`;
    const { dir, ctx, kernel } = project('bk-cache', counting(id));
    const first = await build(kernel, path.join(dir, 'out1'), 'auto');
    expect(first.built.image.builder).toBe('buildkit');
    expect(first.count).toBe('1');
    expect(first.lines.join('\n')).toMatch(
      /kernel\.build: built diverge-kernel:\w+ in [\d.]+ s with BuildKit/,
    );
    // The trace records decoded: numbered steps, the step's own output, no escape sequences.
    expect(first.log).toMatch(/^BuildKit build \(the Dockerfile uses `RUN --mount`\)/);
    expect(first.log).toMatch(/^#\d+ \[kernel 3\/3\] RUN --mount=type=cache/m);
    expect(first.log).toMatch(/^#\d+ built 1 times$/m);
    expect(first.log).toMatch(/^#\d+ coloured line$/m);
    expect(first.log).toMatch(/^#\d+ DONE \d+\.\ds$/m);
    expect(first.log).not.toContain('\u001b');

    // Changed source: the step runs again and finds the count the first build left.
    writeFileSync(path.join(ctx, 'kernel.c'), 'two\n');
    const second = await build(kernel, path.join(dir, 'out2'), 'buildkit');
    expect(second.count).toBe('2');
    expect(second.log).toMatch(/^#\d+ built 2 times$/m);
  }, 300_000);

  it('a failing step names kernel.build, the step as the Dockerfile has it, and its last lines', async () => {
    const { dir, kernel } = project(
      'bk-fail',
      [
        'FROM debian:bookworm-slim AS kernel',
        `RUN --mount=type=cache,id=diverge-test-${nonce()},target=/cache echo compiling; echo "kernel.c:3: error: oops" >&2; exit 3`,
        '',
      ].join('\n'),
    );
    const error = await build(kernel, path.join(dir, 'out'), 'auto').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BuildError);
    const message = (error as BuildError).message;
    expect(message).toMatch(
      /^kernel\.build: step \[kernel 2\/2\] RUN --mount=type=cache.* failed: .*exit code: 3 \(build log: .*build-kernel\.log\)/,
    );
    expect(message).toMatch(/last lines of the build:\n(?:.*\n)*\s+#\d+ kernel\.c:3: error: oops/);
  }, 300_000);

  it('limits.time and limits.network hold under BuildKit: the build is cancelled, its step killed; no network', async () => {
    const marker = nonce();
    const slow = project(
      'bk-time',
      `FROM debian:bookworm-slim AS kernel\nRUN --mount=type=cache,id=diverge-test-${marker},target=/cache echo ${marker} && sleep 300\n`,
    );
    const limited = {
      ...slow.kernel,
      build: { ...slow.kernel.build, limits: { ...slow.kernel.build.limits, timeMs: 8000 } },
    };
    const started = Date.now();
    const error = await build(limited, path.join(slow.dir, 'out'), 'auto').catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /^kernel\.build: stopped at the time limit: kernel\.build\.limits\.time is 8 s/,
    );
    expect(Date.now() - started).toBeLessThan(60_000);
    // BuildKit runs the step outside Docker's containers: look for its process.
    let sleeping: string[] = [];
    for (let i = 0; i < 30; i++) {
      sleeping = execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' })
        .split('\n')
        .filter((line) => line.includes(marker) && !line.includes('jest'));
      if (sleeping.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    expect(sleeping).toEqual([]);

    const probe = () =>
      `FROM debian:bookworm-slim AS kernel\nRUN --mount=type=cache,id=diverge-test-${nonce()},target=/cache ls /sys/class/net; test "$(ls /sys/class/net)" = lo\n`;
    const offline = project('bk-net', probe());
    const isolated = {
      ...offline.kernel,
      build: {
        ...offline.kernel.build,
        limits: { ...offline.kernel.build.limits, network: false },
      },
    };
    // With no network the step sees only the loopback interface, and goes on to fail later at
    // the missing /out/kernel.elf.
    const result = await build(isolated, path.join(offline.dir, 'out'), 'auto').catch(
      (e: unknown) => e,
    );
    expect((result as Error).message).not.toMatch(/exit code: 1/);
    expect((result as Error).message).toMatch(/kernel\.path: \/out\/kernel\.elf does not exist/);
    // The control: with the network the step sees more than the loopback, and fails there.
    const online = project('bk-net-open', probe());
    const open = await build(online.kernel, path.join(online.dir, 'out'), 'auto').catch(
      (e: unknown) => e,
    );
    expect((open as Error).message).toMatch(
      /^kernel\.build: step \[kernel 2\/2\] RUN .* failed: .*exit code: 1/,
    );
  }, 300_000);

  it('grade under BuildKit: a staff step that needs the network is run again offline, and the message says why', async () => {
    const dir = scratchDir('bk-grade');
    mkdirSync(path.join(dir, 'staff'));
    // The staff's step passes only with a network interface besides the loopback, and says what
    // a download says without one (as apt-get's step of the fixture course does).
    writeFileSync(
      path.join(dir, 'staff', 'Dockerfile'),
      [
        'FROM debian:bookworm-slim AS kernel',
        `RUN --mount=type=cache,id=diverge-test-${nonce()},target=/cache test "$(ls /sys/class/net)" != lo || { echo 'connect: Network is unreachable' >&2; exit 100; }`,
        'COPY kernel.c /out/kernel.elf',
        '',
      ].join('\n'),
    );
    writeFileSync(path.join(dir, 'staff', 'kernel.c'), 'staff\n');
    const alice = path.join(dir, 'alice');
    mkdirSync(alice);
    writeFileSync(path.join(alice, 'kernel.c'), 'alice\n');
    const { settings } = configIn(
      dir,
      'kernel:\n  build: { context: staff, target: kernel }\n  path: /out/kernel.elf\n',
    );
    const access = dockerAccess(context.dockerHost);
    const builder = submissionBuilder(access, settings.kernel as DockerKernelSettings, undefined, {
      variant: 'default',
      outDir: path.join(dir, 'out'),
      contextCache: context.cache.contexts,
      clock: context.clock,
      slot: (work) => work(),
    });
    expect(await builder.prepared).toMatch(
      /the staff's recipe is built .* \(with BuildKit, which keys a step's cache on its network mode/,
    );
    const error = await builder
      .build(alice, path.join(dir, 'out', 'alice'))
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /^kernel\.build: step \[kernel 2\/3\] RUN .* failed: .*exit code: 100: a submission's build has no network .* BuildKit keys a step's cache on its network mode/,
    );
  }, 300_000);

  it('a `# syntax=` frontend that cannot be pulled: the engine’s own frontend builds it, and says so', async () => {
    const { dir, kernel } = project(
      'bk-syntax',
      `# syntax=docker/dockerfile:1\n${counting(`diverge-test-${nonce()}`)}`,
    );
    const { built, lines, log, count } = await build(kernel, path.join(dir, 'out'), 'auto');
    expect(count).toBe('1');
    expect(built.image.builder).toBe('buildkit');
    const note = lines.find((line) => /`# syntax=docker\/dockerfile:1` frontend image/.test(line));
    if (note) {
      // No registry (as here): the note, in the log too, and the Dockerfile that was built.
      expect(note).toMatch(
        /building with the Docker engine's built-in Dockerfile frontend instead/,
      );
      expect(log).toContain(note);
      const rewritten = path.join(dir, 'out', 'logs', 'Dockerfile.builtin-frontend');
      expect(readFileSync(rewritten, 'utf8')).toMatch(
        /^# \(diverge: built with the engine's own frontend\) syntax=docker\/dockerfile:1\n/,
      );
    } else {
      // A registry answered: the frontend the line names built it.
      expect(log).toMatch(/resolve image config for docker\.io\/docker\/dockerfile:1/);
    }
  }, 300_000);

  it('a heredoc builds where the engine’s Dockerfile frontend knows heredocs, else the error says why', async () => {
    const { dir, kernel } = project(
      'bk-heredoc',
      [
        'FROM debian:bookworm-slim AS kernel',
        `RUN --mount=type=cache,id=diverge-test-${nonce()},target=/cache <<EOF`,
        'mkdir -p /out',
        'echo heredoc > /out/kernel.elf',
        'echo 1 > /out/count',
        'EOF',
        '',
      ].join('\n'),
    );
    const version = await new Docker().version();
    const major = Number(version.Version.split('.')[0]);
    const result = await build(kernel, path.join(dir, 'out'), 'auto').catch((e: unknown) => e);
    if (major >= 23) {
      // Docker 23 and later: BuildKit's own frontend is Dockerfile syntax 1.4 or later.
      expect(result).not.toBeInstanceOf(Error);
      expect(
        readFileSync((result as { built: { kernel: { path: string } } }).built.kernel.path, 'utf8'),
      ).toBe('heredoc\n');
    } else {
      expect(result).toBeInstanceOf(BuildError);
      expect((result as Error).message).toMatch(
        /^kernel\.build: Dockerfile: .*unknown instruction: MKDIR \(heredocs need Dockerfile syntax 1\.4: the engine's built-in frontend is older/,
      );
    }
  }, 300_000);

  it('DIVERGE_BUILDER=classic: the classic builder, which refuses RUN --mount and says BuildKit would build it', async () => {
    const plain = project(
      'bk-classic',
      [
        'FROM debian:bookworm-slim AS kernel',
        'COPY kernel.c /src/kernel.c',
        `RUN echo ${nonce()} && mkdir -p /out && cp /src/kernel.c /out/kernel.elf && echo 1 > /out/count`,
        '',
      ].join('\n'),
    );
    const classic = await build(plain.kernel, path.join(plain.dir, 'out'), 'classic');
    expect(classic.built.image.builder).toBe('classic');
    expect(classic.log).toMatch(/^Step 3\/\d+ : RUN echo/m);

    const { dir, kernel } = project('bk-classic-mount', counting(`diverge-test-${nonce()}`));
    const error = await build(kernel, path.join(dir, 'out'), 'classic').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BuildError);
    expect((error as Error).message).toMatch(
      /^kernel\.build: .*the Dockerfile uses `RUN --mount`, which only BuildKit builds, and DIVERGE_BUILDER=classic/,
    );
  }, 300_000);

  it('kernel.build.builder chooses for the repository; DIVERGE_BUILDER, set, wins over it', async () => {
    const dockerfile = () =>
      [
        'FROM debian:bookworm-slim AS kernel',
        `RUN echo ${nonce()} && mkdir -p /out && echo k > /out/kernel.elf && echo 1 > /out/count`,
        '',
      ].join('\n');
    // A Dockerfile the classic builder builds: auto would take the classic builder.
    const kit = project('bk-config', dockerfile(), 'one', 'buildkit');
    expect(kit.kernel.build.builder).toBe('buildkit');
    const config = await build(kit.kernel, path.join(kit.dir, 'out'), undefined);
    expect(config.built.image.builder).toBe('buildkit');
    expect(config.log).toMatch(/^BuildKit build \(kernel\.build\.builder: buildkit\)/);

    const machine = project('bk-config-env', dockerfile(), 'one', 'buildkit');
    const over = await build(machine.kernel, path.join(machine.dir, 'out'), 'classic');
    expect(over.built.image.builder).toBe('classic');

    const { dir, kernel } = project(
      'bk-config-mount',
      counting(`diverge-test-${nonce()}`),
      'one',
      'classic',
    );
    const error = await build(kernel, path.join(dir, 'out'), undefined).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /only BuildKit builds, and kernel\.build\.builder: classic/,
    );
  }, 300_000);

  it('an engine without BuildKit (a Windows engine, by its version answer): the classic builder', async () => {
    // The real engine, except that it answers /version as a Windows engine does: no BuildKit.
    const windows = () => {
      const docker = new Docker();
      const real = docker.version.bind(docker);
      docker.version = (async () => ({
        ...(await real()),
        Os: 'windows',
      })) as typeof docker.version;
      return docker;
    };
    const plain = project(
      'bk-nokit',
      [
        'FROM debian:bookworm-slim AS kernel',
        `RUN echo ${nonce()} && mkdir -p /out && echo k > /out/kernel.elf && echo 1 > /out/count`,
        '',
      ].join('\n'),
    );
    const built = await build(plain.kernel, path.join(plain.dir, 'out'), 'buildkit', windows);
    expect(built.built.image.builder).toBe('classic');
    expect(built.log).toMatch(/^Step 2\/\d+ : RUN echo/m);

    const { dir, kernel } = project('bk-nokit-mount', counting(`diverge-test-${nonce()}`));
    const error = await build(kernel, path.join(dir, 'out'), 'auto', windows).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(
      /uses `RUN --mount`, which only BuildKit builds, and the Docker engine has no BuildKit/,
    );
  }, 300_000);

  it('the CLI bundle builds with BuildKit (its session finds its gRPC description) and exits', async () => {
    const { dir, file } = project('bk-cli', counting(`diverge-test-${nonce()}`));
    const reference = (await fixtureKernels()).X86_61_A as string;
    writeFileSync(
      file,
      `${readFileSync(file, 'utf8')}references:\n  - { name: staff, file: ${reference} }\n`,
    );
    // The candidate is no kernel, so the run ends at its boot; the build is what is checked.
    const result = await cli(['run', '-c', file, '-o', path.join(dir, 'out')]);
    expect(result.stderr).toMatch(
      /kernel\.build: built diverge-kernel:\w+ in [\d.]+ s with BuildKit/,
    );
    expect(existsSync(path.join(dir, 'out', 'logs', 'build-kernel.log'))).toBe(true);
  }, 300_000);
});
