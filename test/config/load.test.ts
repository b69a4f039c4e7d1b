import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { defaultSettings, loadConfig, parseConfig, type Settings } from '../../src/config/load.js';

const SHA = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

// design.md's example, with a real digest in place of "..." and a disk interface that x86_64 pc
// has (design.md's virtio-mmio is riscv64/aarch64 virt's and microvm's).
const EXAMPLE = `
kernel:                      # the candidate: how the repo's kernel is built
  build: { context: ., dockerfile: Dockerfile, target: kernel, args: { VARIANT: default } }
  path: /out/kernel.elf      # the kernel's path inside the built image
  extra: [/out/fs.img]       # other files to extract and attach (per kernel)
references:
  - name: staff
    artifact: { repository: course/staff-kernel, workflow: kernel.yml, branch: main, name: kernel }
  - name: base
    base: true
  - name: v1.2
    release: { tag: v1.2, asset: kernel.elf }
  - name: upstream
    url: https://example.org/kernel.elf
    sha256: "${SHA}"
  - name: vendor
    image: { ref: ghcr.io/org/kernel:1.2, path: /boot/vmlinuz }
  - name: local
    file: refs/old-kernel.elf
machine:
  arch: x86_64
  profile: pc
  memory: 256M
  cpus: 1
  accel: auto
  append: "console=ttyS0 panic=-1"
  qemu-args: []
  exit: isa-debug-exit
  firmware: default
harness:
  initrd: harness.cpio.gz
  disks:
    - { file: fs.img, interface: virtio-pci, format: raw }
  script:
    - expect: "\\\\$ "
      send: "usertests -q\\n"
      test: usertests
      fail: "FAILED|panic"
      pass: "ALL TESTS PASSED"
      timeout: 5m
  results: { format: ktap, channel: console }
  timeouts: { boot: 60s, stall: 20s, total: 300s }
  repeat: 1
  rerun-divergent: 2
normalize:
  builtin: [timestamps, addresses, pids, kernel-release]
  rules: [{ match: "took \\\\d+ ms", replace: "took <ms>" }]
compare: { output: true }
expectations: .github/diverge-expectations.yml
fail-on: [regression, crash, hang, missing, output]
grading:
  points: [{ test: "alarm-*", points: 2 }]
  default-points: 1
  credit: { same: 1, fix: 1, expected: 1, flaky: 0.5 }
`;

/** What every class earns by default (design.md): same, fix, expected all; flaky half; the rest 0. */
const DEFAULT_CREDIT = {
  same: 1,
  regression: 0,
  fix: 1,
  output: 0,
  crash: 0,
  hang: 0,
  missing: 0,
  new: 0,
  flaky: 0.5,
  ambiguous: 0,
  expected: 1,
};

const DEFAULTS_IN_REPO: Settings = {
  configPath: '/repo/diverge.yml',
  references: [],
  machine: {
    arch: 'x86_64',
    profile: 'pc',
    memoryMiB: 256,
    cpus: 1,
    accel: 'auto',
    qemuArgs: [],
    firmware: 'default',
    boot: 'kernel',
  },
  harness: {
    payload: { kind: 'none' },
    token: 'none',
    tokenSend: 'echo {token}\n',
    disks: [],
    script: [],
    results: { format: 'ktap', channel: 'console' },
    timeouts: { bootMs: 60_000, stallMs: 20_000, totalMs: 300_000 },
    testTimeouts: [],
    crash: [],
    repeat: 1,
    snapshot: true,
    rerunDivergent: 2,
    serialCapBytes: 8_388_608,
    maxTests: 10_000,
  },
  normalize: {
    builtin: ['timestamps', 'addresses', 'pids', 'kernel-release', 'durations', 'network'],
    rules: [],
    unordered: [],
  },
  compare: { output: true },
  expectations: '/repo/.github/diverge-expectations.yml',
  failOn: ['regression', 'crash', 'hang', 'missing', 'output'],
  grading: { points: [], defaultPoints: 1, credit: DEFAULT_CREDIT },
};

describe('parseConfig', () => {
  it("reads design.md's example", () => {
    const expected: Settings = {
      configPath: '/repo/diverge.yml',
      kernel: {
        build: {
          context: '/repo',
          dockerfile: 'Dockerfile',
          target: 'kernel',
          args: { VARIANT: 'default' },
          limits: {
            memoryBytes: 4 * 2 ** 30,
            processes: 1024,
            timeMs: 1_800_000,
            diskBytes: 8 * 2 ** 30,
            network: true,
          },
        },
        path: '/out/kernel.elf',
        extra: ['/out/fs.img'],
      },
      references: [
        {
          name: 'staff',
          source: {
            kind: 'artifact',
            repository: 'course/staff-kernel',
            workflow: 'kernel.yml',
            branch: 'main',
            name: 'kernel',
          },
        },
        { name: 'base', source: { kind: 'base' } },
        { name: 'v1.2', source: { kind: 'release', tag: 'v1.2', asset: 'kernel.elf' } },
        {
          name: 'upstream',
          source: { kind: 'url', url: 'https://example.org/kernel.elf', sha256: SHA },
        },
        {
          name: 'vendor',
          source: { kind: 'image', ref: 'ghcr.io/org/kernel:1.2', path: '/boot/vmlinuz' },
        },
        { name: 'local', source: { kind: 'file', path: '/repo/refs/old-kernel.elf' } },
      ],
      machine: {
        arch: 'x86_64',
        profile: 'pc',
        memoryMiB: 256,
        cpus: 1,
        accel: 'auto',
        append: 'console=ttyS0 panic=-1',
        qemuArgs: [],
        firmware: 'default',
        exit: { device: 'isa-debug-exit', port: 0xf4 },
        boot: 'kernel',
      },
      harness: {
        payload: { kind: 'initrd', path: '/repo/harness.cpio.gz' },
        token: 'none',
        tokenSend: 'echo {token}\n',
        disks: [{ file: '/repo/fs.img', interface: 'virtio-pci', format: 'raw' }],
        script: [
          {
            expect: '\\$ ',
            send: 'usertests -q\n',
            test: 'usertests',
            fail: 'FAILED|panic',
            pass: 'ALL TESTS PASSED',
            timeoutMs: 300_000,
          },
        ],
        results: { format: 'ktap', channel: 'console' },
        timeouts: { bootMs: 60_000, stallMs: 20_000, totalMs: 300_000 },
        testTimeouts: [],
        crash: [],
        repeat: 1,
        snapshot: true,
        rerunDivergent: 2,
        serialCapBytes: 8_388_608,
        maxTests: 10_000,
      },
      normalize: {
        builtin: ['timestamps', 'addresses', 'pids', 'kernel-release'],
        rules: [{ match: 'took \\d+ ms', replace: 'took <ms>' }],
        unordered: [],
      },
      compare: { output: true },
      expectations: '/repo/.github/diverge-expectations.yml',
      failOn: ['regression', 'crash', 'hang', 'missing', 'output'],
      grading: {
        points: [{ test: 'alarm-*', points: 2 }],
        defaultPoints: 1,
        credit: DEFAULT_CREDIT,
      },
    };
    expect(parseConfig(EXAMPLE, '/repo/diverge.yml')).toStrictEqual(expected);
  });

  it.each([
    ['an empty file', ''],
    ['a file of comments', '# nothing to configure yet\n'],
    ['empty sections', 'references:\nmachine:\nharness:\n  timeouts:\nnormalize:\n'],
  ])('applies every default to %s', (_, text) => {
    expect(parseConfig(text, '/repo/diverge.yml')).toStrictEqual(DEFAULTS_IN_REPO);
  });

  it('gives an absent config the same defaults', () => {
    expect(defaultSettings('/repo')).toStrictEqual({
      ...DEFAULTS_IN_REPO,
      configPath: '<defaults>',
    });
  });

  it('reads settings that differ from the defaults', () => {
    const text = `
kernel: { file: build/kernel.elf, extra: [build/fs.img] }
machine:
  arch: aarch64
  memory: 1.5G
  cpus: 4
  accel: tcg
  qemu-args: [-cpu, cortex-a57]
harness:
  image:
    build: { context: harness, target: payload, args: { JOBS: 4, DEBUG: false } }
  disks: [disk.img]
  script:
    - { expect: "login: ", send: "root\\n", timeout: 1m30s }
  results:
    format: regex
    channel: serial2
    regex: { pass: "^ok (?<id>\\\\S+)", fail: "^FAIL (?<id>\\\\S+)", skip: "^skip (?<id>\\\\S+)" }
  timeouts: { boot: 1500ms, stall: 5, total: 2m }
  repeat: 3
  rerun-divergent: 0
  serial-cap: 64KiB
normalize: { builtin: [], unordered: [priority-*, "sched.**"] }
compare: { output: false }
expectations: ../expect.yml
fail-on: [regression, flaky]
`;
    const expected: Settings = {
      ...DEFAULTS_IN_REPO,
      configPath: '/repo/ci/diverge.yml',
      kernel: { file: '/repo/ci/build/kernel.elf', extra: ['/repo/ci/build/fs.img'] },
      machine: {
        arch: 'aarch64',
        profile: 'virt',
        memoryMiB: 1536,
        cpus: 4,
        accel: 'tcg',
        firmware: 'default',
        qemuArgs: ['-cpu', 'cortex-a57'],
        boot: 'kernel',
      },
      harness: {
        token: 'cmdline',
        tokenSend: 'echo {token}\n',
        payload: {
          kind: 'image',
          build: {
            context: '/repo/ci/harness',
            dockerfile: 'Dockerfile',
            target: 'payload',
            args: { JOBS: '4', DEBUG: 'false' },
          },
        },
        disks: [{ file: '/repo/ci/disk.img', format: 'raw' }],
        script: [{ expect: 'login: ', send: 'root\n', timeoutMs: 90_000 }],
        results: {
          format: 'regex',
          channel: 'serial2',
          regex: { pass: '^ok (?<id>\\S+)', fail: '^FAIL (?<id>\\S+)', skip: '^skip (?<id>\\S+)' },
        },
        timeouts: { bootMs: 1500, stallMs: 5000, totalMs: 120_000 },
        testTimeouts: [],
        crash: [],
        repeat: 3,
        snapshot: true,
        rerunDivergent: 0,
        serialCapBytes: 65_536,
        maxTests: 10_000,
      },
      normalize: { builtin: [], rules: [], unordered: ['priority-*', 'sched.**'] },
      compare: { output: false },
      expectations: '/repo/expect.yml',
      failOn: ['regression', 'flaky'],
    };
    expect(parseConfig(text, '/repo/ci/diverge.yml')).toStrictEqual(expected);
  });

  it('takes a plain memory number as MiB and lowercases a digest', () => {
    const text = `machine: { memory: 512 }\nreferences: [{ name: u, url: "http://x/k", sha256: "${SHA.toUpperCase()}" }]`;
    const settings = parseConfig(text, '/repo/diverge.yml');
    expect(settings.machine.memoryMiB).toBe(512);
    expect(settings.references).toStrictEqual([
      { name: 'u', source: { kind: 'url', url: 'http://x/k', sha256: SHA } },
    ]);
  });

  it('defaults the profile per architecture', () => {
    const machine = (arch: string) => parseConfig(`machine: { arch: ${arch} }`, 'd.yml').machine;
    expect(machine('i386')).toMatchObject({ profile: 'pc' });
    expect(machine('riscv64')).toMatchObject({ profile: 'virt' });
    expect(parseConfig('machine: { profile: microvm }', 'd.yml').machine.profile).toBe('microvm');
  });

  it('names the transcript test only for the transcript format', () => {
    const results = (yaml: string) => parseConfig(`harness: { results: ${yaml} }`, 'd.yml');
    expect(results('{ format: transcript }').harness.results).toStrictEqual({
      format: 'transcript',
      channel: 'console',
      test: 'transcript',
    });
    expect(results('{ format: transcript, test: boot }').harness.results.test).toBe('boot');
  });

  it('shortens the boot and stall defaults to fit a short total', () => {
    const settings = parseConfig('harness: { timeouts: { total: 10s } }', 'd.yml');
    expect(settings.harness.timeouts).toStrictEqual({
      bootMs: 10_000,
      stallMs: 10_000,
      totalMs: 10_000,
    });
  });

  it('takes an image payload by reference and none: true as no payload', () => {
    const payload = (yaml: string) => parseConfig(`harness: ${yaml}`, 'd.yml').harness.payload;
    expect(payload('{ image: { ref: ghcr.io/org/harness:1 } }')).toStrictEqual({
      kind: 'image',
      ref: 'ghcr.io/org/harness:1',
    });
    expect(payload('{ none: true }')).toStrictEqual({ kind: 'none' });
    expect(payload('{ dir: root }')).toStrictEqual({ kind: 'dir', path: `${process.cwd()}/root` });
  });

  it('resolves paths against the directory of a relative config path', () => {
    const settings = parseConfig('kernel: { file: ../out/k.elf }', 'ci/diverge.yml');
    expect(settings.configPath).toBe(`${process.cwd()}/ci/diverge.yml`);
    expect(settings.kernel).toStrictEqual({ file: `${process.cwd()}/out/k.elf`, extra: [] });
    expect(settings.expectations).toBe(`${process.cwd()}/ci/.github/diverge-expectations.yml`);
  });

  it('keeps absolute host paths as they are', () => {
    const settings = parseConfig('harness: { initrd: /srv/h.cpio, disks: [/d.img] }', 'd.yml');
    expect(settings.harness.payload).toStrictEqual({ kind: 'initrd', path: '/srv/h.cpio' });
    expect(settings.harness.disks).toStrictEqual([{ file: '/d.img', format: 'raw' }]);
  });
});

describe('loadConfig', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'diverge-config-'));
    await mkdir(path.join(dir, 'ci'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads the file and resolves paths against its directory', async () => {
    const file = path.join(dir, 'ci', 'diverge.yml');
    await writeFile(file, 'references:\n  - name: old\n    file: kernels/old.elf\n');
    const settings = await loadConfig(file);
    expect(settings.configPath).toBe(file);
    expect(settings.references).toStrictEqual([
      { name: 'old', source: { kind: 'file', path: `${dir}/ci/kernels/old.elf` } },
    ]);
    expect(settings.expectations).toBe(`${dir}/ci/.github/diverge-expectations.yml`);
  });

  it('reports the file as the user named it', async () => {
    const file = path.join(dir, 'bad.yml');
    await writeFile(file, 'machine:\n  cpus: 0\n');
    await expect(loadConfig(file)).rejects.toThrow(
      `${file}:2: machine.cpus: expected an integer 1..64, got 0`,
    );
  });
});
