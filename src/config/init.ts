/**
 * `diverge init`'s knowledge: one table of the kinds of kernel repository diverge knows how to
 * boot, each with how to recognise it (marker files) and the machine and harness its Makefile
 * implies — taken from the repository's own fixtures (fixtures/xv6-riscv, fixtures/xv6-x86,
 * fixtures/course, fixtures/pintos), which test/commands/init.test.ts holds them to. From a
 * kind, a commented diverge.yml and a workflow that uses the action.
 */
import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ACTION_USES, CONFIG_SCHEMA_URL } from '../model/constants.js';

export const REPOSITORY_KINDS = [
  'linux',
  'pintos',
  'xv6-riscv',
  'xv6-x86',
  'multiboot',
  'dockerfile',
] as const;
export type RepositoryKind = (typeof REPOSITORY_KINDS)[number];

interface KindSpec {
  /** What the repository is, as `init` tells the user. */
  what: string;
  /** Whether `dir` holds this kind of repository (the first kind of the table that does wins). */
  detect: (dir: string) => Promise<boolean>;
  /** Where the kernel is: built in the tree by `build`, or in a Dockerfile's image. */
  kernel: { file: string; image: string };
  /** Without a Dockerfile, the workflow builds the kernel with these Debian/Ubuntu packages. */
  build: { packages: string[]; command: string };
  /** The config's machine and harness sections, commented. */
  body: string;
}

const isFile = (file: string) =>
  stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
const isDir = (dir: string) =>
  stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
const contains = (file: string, pattern: RegExp) =>
  readFile(file, 'utf8').then(
    (text) => pattern.test(text),
    () => false,
  );
const all = async (checks: Promise<boolean>[]) => (await Promise.all(checks)).every(Boolean);

/** Source files a multiboot header may be in: C and assembly, a few levels down. */
const SOURCE = /\.(S|s|c|asm)$/;
/** Folders never searched: dependencies, VCS data, build and output trees. */
const SKIP = new Set(['.git', 'node_modules', 'out', 'build', 'diverge-out', '.cache']);
const MULTIBOOT_MAGIC = /0x1badb002/i;

async function hasMultibootHeader(dir: string, depth = 3): Promise<boolean> {
  const entries: Dirent[] = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isFile() && SOURCE.test(entry.name) && (await contains(full, MULTIBOOT_MAGIC)))
      return true;
  }
  if (depth === 0) return false;
  for (const entry of entries)
    if (entry.isDirectory() && !SKIP.has(entry.name))
      if (await hasMultibootHeader(path.join(dir, entry.name), depth - 1)) return true;
  return false;
}

/** One console step per test: a program run at the shell's prompt (xv6 on either arch). */
const XV6_SCRIPT = `  script:
    - expect: '^\\$ ' # the shell's prompt, at the start of a line
      send: "{test}\\n" # the test's output: what it prints up to the next prompt
      pass: '^(fork test )?OK$'
      fail: 'FAILED'
      timeout: 10s # the program's own time: a kernel that never gives the prompt back hangs it
`;

/** Tests of xv6's own programs; a course adds its own (its programs on fs.img). */
const XV6_TESTS = `  # xv6's own quick test; add your programs on fs.img, one boot each. usertests is the full
  # suite (minutes per run under TCG): add it with a step timeout of 10m.
  tests: [forktest]
`;

const KINDS: Record<RepositoryKind, KindSpec> = {
  linux: {
    what: 'a Linux kernel tree',
    detect: (dir) =>
      all([
        isFile(path.join(dir, 'Kconfig')),
        isDir(path.join(dir, 'arch')),
        contains(path.join(dir, 'Makefile'), /^VERSION = \d+/m),
      ]),
    kernel: { file: 'arch/x86/boot/bzImage', image: '/out/bzImage' },
    build: {
      packages: ['build-essential', 'flex', 'bison', 'bc', 'libelf-dev', 'libssl-dev'],
      command: 'make defconfig && make -j"$(nproc)" bzImage',
    },
    body: `machine:
  arch: x86_64 # x86_64 | i386 | aarch64 | riscv64 (aarch64: the Image, console=ttyAMA0)
  memory: 512M
  # append: the default is Linux's console=ttyS0 panic=-1 for the arch
harness:
  # The tests, as an initramfs whose /init runs them and prints KTAP on the console, then powers
  # off (kselftest's runner does; diverge's fixtures/linux/build-harness.sh builds one). Or
  # dir: harness/root (packed for you), or image: { build: { context: harness } }.
  initrd: harness.cpio.gz
  results: { format: ktap, channel: console }
  timeouts: { boot: 60s, stall: 20s, total: 300s }
`,
  },
  pintos: {
    what: 'Pintos',
    detect: (dir) =>
      all([isDir(path.join(dir, 'src/threads')), isFile(path.join(dir, 'src/utils/pintos'))]),
    kernel: { file: 'src/threads/build/os.dsk', image: '/out/os.dsk' },
    build: {
      packages: ['gcc-multilib', 'make', 'perl'],
      // -fno-pie: a position-independent kernel resets the machine (fixtures/pintos/Dockerfile).
      command:
        'make -C src/threads CFLAGS="-m32 -g -msoft-float -O0 -fno-stack-protector -fno-pie" && src/utils/pintos-mkdisk --format=partitioned --kernel=src/threads/build/kernel.bin --loader=src/threads/build/loader.bin src/threads/build/os.dsk',
    },
    // fixtures/pintos/diverge.yml, as utils/pintos boots it.
    body: `machine:
  arch: i386
  memory: 4M # pintos -m 4
  boot: disk # the firmware boots os.dsk's loader, which loads the kernel from its partition
  command-line: pintos # each boot's append, written into a copy of os.dsk as pintos does
  exit: { device: isa-debug-exit, port: 0x501 } # Pintos' power-off writes 0x501
  append: '-q run {test}' # one boot per test, as \`pintos -- -q run TEST\`
harness:
  # tests/threads' alarm tests; add the project's others (priority-*, mlfqs-*), one boot each.
  tests: [alarm-single, alarm-multiple, alarm-simultaneous, alarm-zero, alarm-negative]
  # The test's own time, as Pintos' tests have (tests/Make.tests: pintos -T 60).
  test-timeouts: [{ test: alarm-multiple, timeout: 40s }, { test: '**', timeout: 20s }]
  results: # a test's lines run from "Executing" to its verdict
    format: regex
    regex:
      start: "^Executing '"
      pass: "^Execution of '(?<id>[^']+)' complete"
      fail: "^\\\\((?<id>[^)]+)\\\\) FAIL: " # tests/threads/tests.c fail(), which then panics
  timeouts: { boot: 30s, stall: 30s, total: 60s }
normalize:
  # Threads whose products tie wake on the same tick in either order.
  unordered: [alarm-multiple]
`,
  },
  'xv6-riscv': {
    what: 'xv6 for RISC-V',
    detect: (dir) =>
      all([
        isDir(path.join(dir, 'kernel')),
        isDir(path.join(dir, 'user')),
        contains(path.join(dir, 'Makefile'), /qemu-system-riscv64/),
      ]),
    kernel: { file: 'kernel/kernel', image: '/out/kernel' },
    build: {
      packages: ['gcc-riscv64-unknown-elf', 'make'],
      command: 'make TOOLPREFIX=riscv64-unknown-elf- kernel/kernel fs.img',
    },
    // fixtures/xv6-riscv/diverge.yml, as `make qemu` boots it.
    body: `machine:
  arch: riscv64
  memory: 128M # xv6 uses the first 128 MiB (PHYSTOP)
  cpus: 1
  firmware: none # -bios none: xv6 starts in M-mode at 0x80000000
  append: '' # xv6 reads no command line
harness:
  disks: # bus 0, where xv6 looks; a modern (version 2) virtio-mmio transport
    - { file: fs.img, interface: virtio-mmio, format: raw }
${XV6_TESTS}${XV6_SCRIPT}  # xv6 fills its 128 MiB with junk (kinit) before the shell starts: seconds of silence under TCG.
  timeouts: { boot: 60s, stall: 30s, total: 2m }
`,
  },
  'xv6-x86': {
    what: 'xv6 for x86',
    detect: (dir) =>
      all([isFile(path.join(dir, 'bootasm.S')), contains(path.join(dir, 'Makefile'), /xv6\.img/)]),
    kernel: { file: 'xv6.img', image: '/out/xv6.img' },
    build: { packages: ['gcc-multilib', 'make'], command: 'make xv6.img fs.img' },
    // fixtures/xv6-x86/diverge.yml, as `make qemu-nox` boots it.
    body: `machine:
  arch: i386
  boot: disk # the kernel file is a boot disk (xv6.img): IDE index 0, booted by SeaBIOS
  memory: 512M
  cpus: 1
  # xv6 writes its console to the CGA screen too, and panics when no card answers there: QEMU's
  # default VGA card, which diverge's -nodefaults leaves out.
  qemu-args: [-vga, std]
harness:
  disks: # IDE index 1, after the boot disk: where xv6's ide.c looks for its file system
    - { file: fs.img, interface: ide }
${XV6_TESTS}${XV6_SCRIPT}  timeouts: { boot: 30s, stall: 20s, total: 1m }
`,
  },
  multiboot: {
    what: 'a multiboot kernel',
    detect: (dir) => hasMultibootHeader(dir),
    kernel: { file: 'kernel.elf', image: '/out/kernel.elf' },
    build: { packages: ['build-essential', 'gcc-multilib'], command: 'make' },
    // fixtures/course/diverge.yml: QEMU loads a multiboot ELF itself.
    body: `machine:
  arch: x86_64 # QEMU's -kernel loads a multiboot ELF (32-bit) on x86_64 and i386 alike
  profile: pc
  memory: 64M
  cpus: 1
  exit: isa-debug-exit # lets the kernel end the VM by writing 0 (or its error) to port 0xf4
  append: '' # the kernel's multiboot command line (the default is Linux's)
harness:
  # The tests: a program the kernel loads from multiboot module 0 (QEMU's -initrd), which prints
  # KTAP on the console. Or, with no harness, the whole console as one test:
  # results: { format: transcript, test: boot }
  initrd: harness.bin
  results: { format: ktap, channel: console }
  timeouts: { boot: 10s, stall: 3s, total: 30s }
`,
  },
  dockerfile: {
    what: 'a kernel built by its Dockerfile',
    detect: (dir) => isFile(path.join(dir, 'Dockerfile')),
    kernel: { file: 'kernel.elf', image: '/out/kernel.elf' },
    build: { packages: ['build-essential'], command: 'make' },
    body: `machine:
  arch: x86_64 # x86_64 | i386 | aarch64 | riscv64
  memory: 256M
  append: '' # the kernel's command line (the default is Linux's console=ttyS0 panic=-1)
harness:
  # The whole console of a boot is one test, "boot", compared line by line with the references'.
  # A harness that prints KTAP or TAP gives one verdict per test: see docs/config.md.
  results: { format: transcript, test: boot }
  timeouts: { boot: 30s, stall: 10s, total: 60s }
`,
  },
};

export const kindDescription = (kind: RepositoryKind) => KINDS[kind].what;

/** The first kind of the table whose markers `dir` has, or undefined. */
export async function detectKind(dir: string): Promise<RepositoryKind | undefined> {
  for (const kind of REPOSITORY_KINDS) if (await KINDS[kind].detect(dir)) return kind;
  return undefined;
}

export interface InitFiles {
  /** diverge.yml. */
  config: string;
  /** .github/workflows/diverge.yml. */
  workflow: string;
}

/**
 * The files `init` writes for a `kind` repository; with `dockerfile`, the kernel is built by the
 * repository's Dockerfile, else by a workflow step before diverge runs.
 */
export function initFiles(kind: RepositoryKind, dockerfile: boolean): InitFiles {
  const spec = KINDS[kind];
  const kernel = dockerfile
    ? `kernel:
  build: { context: ., dockerfile: Dockerfile } # add target: STAGE for a multi-stage build
  path: ${spec.kernel.image} # where the Dockerfile leaves the kernel in its image: adjust
`
    : `kernel:
  file: ${spec.kernel.file} # built by the workflow's step before diverge runs (\`${spec.build.command}\`)
`;
  const config = `# yaml-language-server: $schema=${CONFIG_SCHEMA_URL}
# diverge.yml for ${spec.what}, written by \`diverge init\`; docs/config.md has every key.
# Check it with \`diverge doctor\`, try it with \`diverge run --reference staff=PATH\`.
${kernel}references:
  - { name: base, base: true } # the pull request's base branch: its published kernel, else built
  # - { name: staff, file: staff/kernel } # a kernel file of your own (a course's staff kernel)
${spec.body}`;
  const build = dockerfile
    ? ''
    : `      - name: Build the kernel
        run: |
          sudo apt-get update
          sudo apt-get install -y --no-install-recommends ${spec.build.packages.join(' ')}
          ${spec.build.command}
`;
  const workflow = `# Written by \`diverge init\`: every pull request's kernel judged against the references of
# diverge.yml (README.md, "Check pull requests with the action").
name: diverge
on:
  pull_request:
  push:
    branches: [main] # pushes publish the kernel that pull requests use as \`base: true\`
permissions:
  contents: read
  checks: write # the check run
  pull-requests: write # the sticky comment
  actions: read # reference kernels from artifacts of other runs
jobs:
  diverge:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
${build}      - uses: ${ACTION_USES}
        with:
          config: diverge.yml
          install-qemu: auto # apt-get installs the QEMU of machine.arch when missing
          kvm: auto # opens /dev/kvm to the runner user (udev rule), else TCG with a warning
`;
  return { config, workflow };
}
