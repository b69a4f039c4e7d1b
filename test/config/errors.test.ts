import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig, parseConfig } from '../../src/config/load.js';
import { testTimeout } from '../../src/config/settings.js';

/** The ConfigError that `text` raises, read as `file`. */
function errorOf(text: string, file = 'diverge.yml'): ConfigError {
  try {
    parseConfig(text, file);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}
const messageOf = (text: string) => errorOf(text).message;

describe('ConfigError', () => {
  it('lists every problem, one a line, in file order, with structured issues', () => {
    const text = [
      'harness:', //                   1
      '  repeat: two', //              2
      'machine:', //                   3
      '  memroy: 512M', //             4
      '  memory: lots', //             5
      'references:', //                6
      '  - name: upstream', //         7
      '    url: https://x.org/k', //   8
    ].join('\n');
    const error = errorOf(text, 'ci/diverge.yml');
    expect(error.file).toBe('ci/diverge.yml');
    expect(error.issues).toStrictEqual([
      { path: 'harness.repeat', line: 2, message: 'expected an integer ≥ 1, got "two"' },
      {
        path: 'machine.memroy',
        line: 4,
        message:
          'unknown key (expected one of arch, profile, memory, cpus, accel, append, qemu-args, exit, firmware, boot, command-line)',
      },
      { path: 'machine.memory', line: 5, message: 'expected a size like 256M, got "lots"' },
      {
        path: 'references[0].sha256',
        line: 7,
        message: 'missing (a url needs its sha256, 64 hex digits)',
      },
    ]);
    expect(error.message).toBe(
      [
        'ci/diverge.yml:2: harness.repeat: expected an integer ≥ 1, got "two"',
        'ci/diverge.yml:4: machine.memroy: unknown key (expected one of arch, profile, memory, cpus, accel, append, qemu-args, exit, firmware, boot, command-line)',
        'ci/diverge.yml:5: machine.memory: expected a size like 256M, got "lots"',
        'ci/diverge.yml:7: references[0].sha256: missing (a url needs its sha256, 64 hex digits)',
      ].join('\n'),
    );
  });

  it('reports each unknown key on its own line', () => {
    expect(messageOf('kernal: {}\ncompare:\n  outptu: true\nfoo: 1\n')).toBe(
      [
        'diverge.yml:1: kernal: unknown key (expected one of kernel, references, machine, harness, normalize, compare, expectations, fail-on, grading)',
        'diverge.yml:3: compare.outptu: unknown key (expected one of output)',
        'diverge.yml:4: foo: unknown key (expected one of kernel, references, machine, harness, normalize, compare, expectations, fail-on, grading)',
      ].join('\n'),
    );
    expect(messageOf('references:\n  - name: a\n    artifact: { repo: x/y, name: k }\n')).toBe(
      'diverge.yml:3: references[0].artifact.repo: unknown key (expected one of repository, workflow, branch, run, name, path)',
    );
  });

  it('cuts a long value to 60 characters', () => {
    expect(messageOf(`machine:\n  arch: ${'a'.repeat(100)}\n`)).toBe(
      `diverge.yml:2: machine.arch: expected one of x86_64, i386, aarch64, riscv64, got "${'a'.repeat(58)}…`,
    );
  });

  it('reports YAML syntax errors with their line', () => {
    const error = errorOf('machine:\n  cpus: 1\n  cpus: 2\n');
    expect(error.message).toBe('diverge.yml:3: Map keys must be unique');
    expect(errorOf('references: [\n  { name: a\n').message).toMatch(/^diverge\.yml:\d+: \S/);
  });

  it('rejects a file that is not a mapping', () => {
    expect(messageOf('- kernel\n')).toBe('diverge.yml:1: expected a mapping, got ["kernel"]');
    expect(messageOf('machine: x86_64\n')).toBe(
      'diverge.yml:1: machine: expected a mapping, got "x86_64"',
    );
  });

  it('reports a missing file with the name given', async () => {
    await expect(loadConfig('no/such/diverge.yml')).rejects.toThrow(
      new ConfigError('no/such/diverge.yml', [
        {
          path: '',
          message:
            "cannot read config: ENOENT: no such file or directory, open 'no/such/diverge.yml'",
        },
      ]),
    );
    await expect(loadConfig('no/such/diverge.yml')).rejects.toThrow(
      "no/such/diverge.yml: cannot read config: ENOENT: no such file or directory, open 'no/such/diverge.yml'",
    );
  });
});

describe('field checks', () => {
  it.each([
    ['machine: { cpus: 65 }', 'machine.cpus: expected an integer 1..64, got 65'],
    ['machine: { cpus: 1.5 }', 'machine.cpus: expected an integer 1..64, got 1.5'],
    ['machine: { memory: 1M }', 'machine.memory: expected at least 2M on x86_64, got 1M'],
    ['machine: { memory: 0.5M }', 'machine.memory: expected at least 1M, got "0.5M"'],
    ['machine: { memory: 1T }', 'machine.memory: expected at most 64G, got "1T"'],
    ['machine: { memory: 16.5M }', 'machine.memory: expected whole MiB, got "16.5M"'],
    ['machine: { accel: hvf }', 'machine.accel: expected one of auto, kvm, tcg, got "hvf"'],
    [
      'machine: { arch: aarch64, profile: pc }',
      'machine.profile: expected one of virt for aarch64, got "pc"',
    ],
    [
      'machine: { arch: i386, profile: microvm }',
      'machine.profile: expected one of pc, q35 for i386, got "microvm"',
    ],
    [
      'machine: { arch: riscv64, exit: isa-debug-exit }',
      'machine.exit: isa-debug-exit needs an x86 machine, not riscv64',
    ],
    [
      'machine: { exit: poweroff }',
      'machine.exit: expected isa-debug-exit or { device: isa-debug-exit, port: 0x501 }, got "poweroff"',
    ],
    [
      'machine: { exit: { device: poweroff } }',
      'machine.exit.device: expected isa-debug-exit, got "poweroff"',
    ],
    [
      'machine: { exit: { device: isa-debug-exit, iobase: 0x501 } }',
      'machine.exit.iobase: unknown key (expected one of device, port)',
    ],
    [
      'machine: { qemu-args: -s }',
      'machine.qemu-args: expected a list of QEMU arguments, got "-s"',
    ],
    [
      'harness: { rerun-divergent: -1 }',
      'harness.rerun-divergent: expected an integer ≥ 0, got -1',
    ],
    ['harness: { serial-cap: 0 }', 'harness.serial-cap: expected a size > 0, got 0'],
    ['harness: { serial-cap: big }', 'harness.serial-cap: expected a size like 8M, got "big"'],
    [
      'harness: { timeouts: { boot: soon } }',
      'harness.timeouts.boot: expected a duration like 60s, got "soon"',
    ],
    [
      'harness: { timeouts: { stall: 0s } }',
      'harness.timeouts.stall: expected a duration > 0, got "0s"',
    ],
    [
      'harness: { timeouts: { total: 1m, boot: 2m } }',
      'harness.timeouts.boot: expected at most the total timeout (60000ms), got 120000ms',
    ],
    [
      'harness: { timeouts: { stall: 1h } }',
      'harness.timeouts.stall: expected at most the total timeout (300000ms), got 3600000ms',
    ],
    ['harness: { none: false }', 'harness.none: expected true, got false'],
    [
      'harness: { initrd: a, dir: b }',
      'harness.dir: conflicts with initrd (use only one of initrd, dir, image, none)',
    ],
    ['harness: { image: {} }', 'harness.image: expected build or ref'],
    [
      'harness: { image: { build: {}, ref: x } }',
      'harness.image.ref: conflicts with build (use only one of build, ref)',
    ],
    [
      'harness: { results: { channel: serial3 } }',
      'harness.results.channel: expected one of console, serial2, driver, got "serial3"',
    ],
    [
      'harness: { results: { test: t } }',
      'harness.results.test: only valid with format transcript',
    ],
    [
      'normalize: { builtin: [dates] }',
      'normalize.builtin[0]: expected one of timestamps, addresses, pids, kernel-release, durations, network, got "dates"',
    ],
    [
      'normalize: { rules: [{ match: x }] }',
      'normalize.rules[0].replace: missing (expected replacement text)',
    ],
    [
      'normalize: { unordered: priority-* }',
      'normalize.unordered: expected a list of test ids or globs, got "priority-*"',
    ],
    [
      'normalize: { unordered: [""] }',
      'normalize.unordered[0]: expected a test id or glob like "priority-*", got ""',
    ],
    [
      'normalize: { unordered: [alarm-*, prio-*] }\nharness: { tests: [alarm-single, priority-fifo] }\nmachine: { append: "run {test}" }',
      'normalize.unordered[1]: "prio-*" matches none of harness.tests',
    ],
    ['compare: { output: yes }', 'compare.output: expected true or false, got "yes"'],
    [
      'fail-on: [regresion]',
      'fail-on[0]: expected one of regression, crash, hang, missing, output, fix, new, flaky, ambiguous, got "regresion"',
    ],
    ['expectations: ""', 'expectations: expected a path, got ""'],
    [
      'kernel: { build: {} }',
      'kernel: expected either build with path (a Docker build) or file (already built)',
    ],
    [
      'kernel: { file: k, path: /k }',
      'kernel: expected either build with path (a Docker build) or file (already built)',
    ],
    [
      'kernel: { build: {}, path: out/k }',
      'kernel.path: expected an absolute path inside the image like /out/kernel.elf, got "out/k"',
    ],
    [
      'kernel: { build: {}, path: /k, extra: [fs.img] }',
      'kernel.extra[0]: expected an absolute path inside the image like /out/kernel.elf, got "fs.img"',
    ],
    [
      'kernel: { build: { args: { A: [1] } }, path: /k }',
      'kernel.build.args.A: expected a string, got [1]',
    ],
  ])('%s', (text, message) => {
    expect(messageOf(text)).toBe(`diverge.yml:1: ${message}`);
  });
});

describe('references', () => {
  const refs = (...entries: string[]) =>
    `references:\n${entries.map((e) => `  - ${e}\n`).join('')}`;

  it('wants unique names', () => {
    expect(
      messageOf(
        refs('{ name: staff, base: true }', '{ name: v1, file: a }', '{ name: staff, file: b }'),
      ),
    ).toBe('diverge.yml:4: references[2].name: duplicate name "staff" (also references[0])');
  });

  it('reserves the name candidate', () => {
    expect(messageOf(refs('{ name: candidate, file: k }'))).toBe(
      'diverge.yml:2: references[0].name: "candidate" is reserved for the kernel under test',
    );
  });

  it.each([
    [
      '{ name: -x, base: true }',
      "references[0].name: expected a name of letters, digits, '.', '_' and '-', got \"-x\"",
    ],
    [
      '{ name: "a b", base: true }',
      "references[0].name: expected a name of letters, digits, '.', '_' and '-', got \"a b\"",
    ],
    [
      '{ file: k }',
      "references[0].name: missing (expected a name of letters, digits, '.', '_' and '-')",
    ],
    [
      '{ name: a }',
      'references[0]: expected one of artifact, base, release, url, image, file besides name',
    ],
    [
      '{ name: a, base: true, file: k }',
      'references[0].file: conflicts with base (use only one of artifact, base, release, url, image, file)',
    ],
    [
      '{ name: a, url: "https://x.org/k" }',
      'references[0].sha256: missing (a url needs its sha256, 64 hex digits)',
    ],
    [
      '{ name: a, file: k, sha256: "' + 'a'.repeat(64) + '" }',
      'references[0].sha256: only valid with url',
    ],
    [
      '{ name: a, url: "https://x.org/k", sha256: abc }',
      'references[0].sha256: expected 64 hex digits, got "abc"',
    ],
    [
      '{ name: a, url: "ftp://x.org/k", sha256: "' + 'a'.repeat(64) + '" }',
      'references[0].url: expected an http:// or https:// URL, got "ftp://x.org/k"',
    ],
    [
      '{ name: a, release: { tag: v1 } }',
      'references[0].release.asset: missing (expected an asset name)',
    ],
    [
      '{ name: a, artifact: { repository: staff, name: k } }',
      'references[0].artifact.repository: expected a repository like owner/name, got "staff"',
    ],
    [
      '{ name: a, image: { ref: r, path: boot/k } }',
      'references[0].image.path: expected an absolute path inside the image like /out/kernel.elf, got "boot/k"',
    ],
    ['staff', 'references[0]: expected a mapping, got "staff"'],
  ])('%s', (entry, message) => {
    expect(messageOf(refs(entry))).toBe(`diverge.yml:2: ${message}`);
  });
});

describe('regular expressions', () => {
  it('rejects a regex format without its patterns', () => {
    expect(messageOf('harness:\n  results: { format: regex }\n')).toBe(
      'diverge.yml:2: harness.results.regex: missing (format regex needs pass and fail patterns)',
    );
  });

  it('rejects patterns with another format', () => {
    const text = 'harness:\n  results:\n    regex: { pass: "(?<id>x)", fail: "(?<id>y)" }\n';
    expect(messageOf(text)).toBe(
      'diverge.yml:3: harness.results.regex: only valid with format regex',
    );
  });

  it('wants each result pattern to compile and name its test', () => {
    const text = [
      'harness:',
      '  results:',
      '    format: regex',
      '    regex:',
      '      pass: "^ok (\\\\S+)"',
      '      fail: "(?<id>"',
      '      error: "^E (?<name>\\\\S+)"',
    ].join('\n');
    expect(messageOf(text)).toBe(
      [
        'diverge.yml:5: harness.results.regex.pass: expected a regular expression with a named group (?<id>...), got "^ok (\\\\S+)"',
        'diverge.yml:6: harness.results.regex.fail: expected a regular expression, got "(?<id>" (Unterminated group)',
        'diverge.yml:7: harness.results.regex.error: expected a regular expression with a named group (?<id>...), got "^E (?<name>\\\\S+)"',
      ].join('\n'),
    );
  });

  it('names the script step and normalize rule whose pattern does not compile', () => {
    const text = [
      'harness:',
      '  script:',
      '    - expect: "login: "',
      '    - expect: "([a-z]+"',
      '      timeout: 0',
      'normalize:',
      '  rules:',
      '    - { match: "[0-9", replace: N }',
    ].join('\n');
    expect(messageOf(text)).toBe(
      [
        'diverge.yml:4: harness.script[1].expect: expected a regular expression, got "([a-z]+" (Unterminated group)',
        'diverge.yml:5: harness.script[1].timeout: expected a duration > 0, got 0',
        'diverge.yml:8: normalize.rules[0].match: expected a regular expression, got "[0-9" (Unterminated character class)',
      ].join('\n'),
    );
  });
});

describe('teaching-kernel keys', () => {
  it('names a disk interface the machine does not have, and the ones it has', () => {
    const text = [
      'machine: { arch: x86_64, profile: pc }',
      'harness:',
      '  disks:',
      '    - fs.img',
      '    - { file: os.dsk, interface: virtio-mmio }',
      '    - { file: b.img, interface: floppy }',
      '    - { file: c.img, format: vmdk }',
    ].join('\n');
    expect(messageOf(text)).toBe(
      [
        'diverge.yml:6: harness.disks[2].interface: expected one of virtio-pci, virtio-mmio, ide, scsi, got "floppy"',
        'diverge.yml:7: harness.disks[3].format: expected one of raw, qcow2, got "vmdk"',
      ].join('\n'),
    );
    expect(messageOf(text.split('\n').slice(0, 5).join('\n'))).toBe(
      'diverge.yml:5: harness.disks[1].interface: x86_64 pc has no virtio-mmio disks (expected one of virtio-pci, ide, scsi)',
    );
  });

  it('accepts firmware none only where a machine boots without firmware', () => {
    expect(messageOf('machine: { arch: i386, firmware: none }\n')).toBe(
      'diverge.yml:1: machine.firmware: i386 cannot boot without firmware (expected default or a firmware file)',
    );
    const riscv = parseConfig('machine: { arch: riscv64, firmware: none }\n', '/c/diverge.yml');
    expect(riscv.machine.firmware).toBe('none');
    const file = parseConfig('machine: { firmware: fw/bios.bin }\n', '/c/diverge.yml');
    expect(file.machine.firmware).toBe('/c/fw/bios.bin');
  });

  it('wants {test} where per-test boots can use it, and tests where {test} is used', () => {
    expect(messageOf('harness:\n  tests: [a, b]\n')).toBe(
      "diverge.yml:2: harness.tests: each test boots with {test} replaced by its name: put {test} in machine.append, in a step's send, or in the kernel's path (one image per test), or run the tests with harness.driver",
    );
    expect(messageOf('machine: { append: "-q run {test}" }\n')).toBe(
      'diverge.yml:1: machine.append: {test} is replaced only in per-test boots: list the tests in harness.tests',
    );
    expect(messageOf('machine: { append: "run {test}" }\nharness:\n  tests: [a, a]\n')).toBe(
      'diverge.yml:3: harness.tests[1]: duplicate test "a"',
    );
  });

  it('takes end only on the last step, and pass/fail as regular expressions', () => {
    const text = [
      'harness:',
      '  script:',
      '    - { expect: "# ", send: "a\\n", test: a, end: "bye" }',
      '    - { expect: "# ", send: "b\\n", test: b, pass: "(ok" }',
    ].join('\n');
    expect(messageOf(text)).toBe(
      [
        'diverge.yml:3: harness.script[0].end: only valid on the last step (it ends the dialogue)',
        'diverge.yml:4: harness.script[1].pass: expected a regular expression, got "(ok" (Unterminated group)',
      ].join('\n'),
    );
    const fixed = text.replace('"(ok"', '"ok"').replace(', end: "bye"', '');
    expect(parseConfig(fixed, '/c/d.yml').harness.script[1]).toEqual({
      expect: '# ',
      send: 'b\n',
      test: 'b',
      pass: 'ok',
    });
  });

  it('takes crash patterns that compile and do not match every line, naming the bad one', () => {
    const text = [
      'harness:',
      '  crash:',
      '    - "^KERNEL BUG at (.*)"',
      '    - "^oops (("',
      '    - ".*"',
      '    - 42',
    ].join('\n');
    expect(messageOf(text)).toBe(
      [
        'diverge.yml:4: harness.crash[1]: expected a regular expression, got "^oops ((" (Unterminated group)',
        'diverge.yml:5: harness.crash[2]: expected a regular expression that does not match an empty line, got ".*"',
        'diverge.yml:6: harness.crash[3]: expected a regular expression that does not match an empty line, got 42',
      ].join('\n'),
    );
    expect(parseConfig(text.split('\n').slice(0, 3).join('\n'), '/c/d.yml').harness.crash).toEqual([
      '^KERNEL BUG at (.*)',
    ]);
    expect(parseConfig('', '/c/d.yml').harness.crash).toEqual([]);
  });

  it('takes per-test time limits for per-test boots, each glob matching a test', () => {
    const text = [
      'machine: { append: "-q run {test}" }',
      'harness:',
      '  tests: [alarm-single, alarm-zero, priority-change]',
      '  test-timeouts:',
      '    - { test: "alarm-*", timeout: 10s }',
      '    - { test: priority-change, timeout: 1m }',
    ].join('\n');
    expect(parseConfig(text, '/c/d.yml').harness.testTimeouts).toEqual([
      { test: 'alarm-*', timeoutMs: 10_000 },
      { test: 'priority-change', timeoutMs: 60_000 },
    ]);
    expect(messageOf(`${text}\n    - { test: "mlfqs-*", timeout: 0 }\n    - { tests: x }`)).toBe(
      [
        'diverge.yml:7: harness.test-timeouts[2].timeout: expected a duration > 0, got 0',
        'diverge.yml:8: harness.test-timeouts[3].test: missing (expected a test id or glob like "alarm-*")',
        'diverge.yml:8: harness.test-timeouts[3].timeout: missing (expected a duration like 60s)',
        'diverge.yml:8: harness.test-timeouts[3].tests: unknown key (expected one of test, timeout)',
      ].join('\n'),
    );
    expect(messageOf(`${text}\n    - { test: "mlfqs-*", timeout: 5s }`)).toBe(
      'diverge.yml:7: harness.test-timeouts[2].test: "mlfqs-*" matches none of harness.tests',
    );
    // The first entry whose glob matches a test is its limit.
    const { testTimeouts } = parseConfig(
      `${text}\n    - { test: "**", timeout: 2m }`,
      '/c/d.yml',
    ).harness;
    expect(testTimeout(testTimeouts, 'alarm-zero')).toEqual({ glob: 'alarm-*', ms: 10_000 });
    expect(testTimeout(testTimeouts, 'priority-change')).toEqual({
      glob: 'priority-change',
      ms: 60_000,
    });
    expect(testTimeout(testTimeouts, 'mlfqs-load-1')).toEqual({ glob: '**', ms: 120_000 });
    expect(testTimeout([], 'alarm-zero')).toBeUndefined();
    expect(messageOf('harness:\n  test-timeouts: [{ test: usertests, timeout: 5m }]')).toBe(
      'diverge.yml:2: harness.test-timeouts[0].test: limits per-test boots: list the tests in harness.tests (a console step has its own timeout)',
    );
  });
});
