/**
 * The course's own checker (`harness.checker`) end to end, in real Docker and real QEMU: tiny
 * multiboot kernels print what a Pintos kernel prints, booted once per test, and a checker image
 * built from test/fixtures/checker judges each test's transcript the way Pintos' .ck scripts do
 * (`pass TEST`, or `FAIL TEST` and the reasons, always exit 0). Its verdict and message are the
 * test's status and output, and the differential judgement runs on top: a candidate the checker
 * passes is `same` though its transcript differs, one it fails is a `regression` with the
 * checker's message in the diff, a test the staff kernel fails too is not the candidate's
 * regression, and a checker that times out or crashes leaves the test to the infrastructure.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { dockerAccess } from '../../src/docker/docker.js';
import { BuildError } from '../../src/docker/errors.js';
import { multibootKernel, X86_CODE } from '../../src/qemu/probe-kernel.js';
import { renderHtml } from '../../src/render/html.js';
import { renderMarkdown } from '../../src/render/markdown.js';
import { ObservationCache } from '../../src/results/observation-cache.js';
import type { KernelObservation } from '../../src/results/observe.js';
import { bootKernels, type KernelInput } from '../../src/session/boots.js';
import { sha256File } from '../../src/util/digest.js';
import { validateReport } from '../../src/report/validate.js';
import { judgedReport } from '../helpers/observations.js';
import { configIn, REPO_ROOT, scratchDir, testContext } from '../helpers/fixtures.js';

const context = testContext('checker');
const docker = dockerAccess(context.dockerHost);
const quiet = () => undefined;
const CHECKER_DIR = path.join(REPO_ROOT, 'test/fixtures/checker');
const TESTS = ['alarm-single', 'alarm-multiple', 'priority-donate'];

/** `mov dx, 0x501; mov al, 0x31; out dx, al`: Pintos' power-off through isa-debug-exit. */
const PINTOS_POWER_OFF = [0x66, 0xba, 0x01, 0x05, 0xb0, 0x31, 0xee];

/** A kernel that prints a Pintos run of every test (it ignores its command line) and powers off. */
function kernel(dir: string, name: string, lines: string[], ticks: number): KernelInput {
  const text = [
    'Pintos booting with 3,968 kB RAM...',
    'Boot complete.',
    ...lines,
    `Timer: ${ticks} ticks`,
    'Powering off...',
    '',
  ].join('\n');
  const file = path.join(dir, `${name}.elf`);
  writeFileSync(
    file,
    multibootKernel([
      ...X86_CODE.serialPort,
      ...X86_CODE.print(text),
      ...PINTOS_POWER_OFF,
      ...X86_CODE.halt,
    ]),
  );
  return { name, path: file };
}

const DONATE_FAILS = '(priority-donate) main thread should have priority 32: FAILED';
const STAFF = [
  '(alarm-single) begin',
  '(alarm-single) end',
  '(alarm-multiple) begin',
  '(alarm-multiple) end',
  '(priority-donate) begin',
  DONATE_FAILS, // the staff kernel fails this one too
];
const WRONG = [
  '(alarm-single) begin',
  '(alarm-single) end',
  '(alarm-multiple) begin',
  '(alarm-multiple) thread 2 woke up out of order: FAILED',
  '(priority-donate) begin',
  DONATE_FAILS,
];

/** A config of the per-test boots with `checker` as harness.checker's lines. */
function config(dir: string, checker: string[], tests = TESTS) {
  mkdirSync(dir, { recursive: true });
  return configIn(
    dir,
    [
      'machine:',
      '  arch: i386',
      '  memory: 4M',
      '  exit: { device: isa-debug-exit, port: 0x501 }',
      "  append: '-q run {test}'",
      'harness:',
      `  tests: [${tests.join(', ')}]`,
      '  results: { format: transcript }',
      '  timeouts: { boot: 20s, stall: 20s, total: 60s }',
      '  rerun-divergent: 0',
      '  checker:',
      `    build: { context: ${CHECKER_DIR} }`,
      ...checker.map((line) => `    ${line}`),
      '',
    ].join('\n'),
  ).settings;
}

const PERL_CHECKER = ['command: [perl, /course/check.pl, "{test}", "{output}"]', "pass: '^pass '"];

/** The observations of `candidate` and of `staff`, as the judge reads them. */
const asCandidate = (observations: readonly KernelObservation[], candidate: string) =>
  observations
    .filter((o) => o.kernel === candidate)
    .map((o) => ({ ...o, kernel: 'candidate', boot: { ...o.boot, kernel: 'candidate' } }));

describe('harness.checker under QEMU and Docker', () => {
  let dir: string;
  let kernels: KernelInput[];
  let observations: KernelObservation[];
  let cache: ObservationCache;
  let digests: Map<string, string>;

  beforeAll(async () => {
    dir = scratchDir('checker');
    kernels = [
      kernel(dir, 'staff', STAFF, 282),
      kernel(dir, 'good', STAFF, 311), // another transcript: the checker says the same
      kernel(dir, 'wrong', WRONG, 297),
    ];
    cache = new ObservationCache(path.join(dir, 'cache'), context.buildId);
    digests = new Map([['staff', await sha256File(kernels[0]?.path ?? '')]]);
    const run = await bootKernels(context, config(dir, PERL_CHECKER), kernels, {
      outDir: path.join(dir, 'out'),
      docker,
      cached: { cache, digests },
      progress: quiet,
    });
    observations = run.observations;
  }, 600_000);

  const staffOf = () => observations.filter((o) => o.kernel === 'staff');

  it("makes the checker's verdict and message each test's status and output", () => {
    const of = (kernel: string, test: string) =>
      observations.find((o) => o.kernel === kernel && o.test === test)?.tests;
    expect(of('staff', 'alarm-single')).toEqual([
      { id: 'alarm-single', status: 'pass', output: ['pass alarm-single'] },
    ]);
    expect(of('staff', 'priority-donate')).toEqual([
      {
        id: 'priority-donate',
        status: 'fail',
        output: [
          'FAIL priority-donate',
          '(priority-donate) did not end: no "(priority-donate) end" line',
          `(priority-donate) reported ${DONATE_FAILS}`,
        ],
      },
    ]);
    // What the checker read: the test's transcript, kept in the run's folder.
    const transcript = path.join(dir, 'out/checker/wrong-alarm-multiple-1/alarm-multiple.output');
    expect(readFileSync(transcript, 'utf8')).toContain(
      '(alarm-multiple) thread 2 woke up out of order: FAILED\n(priority-donate) begin\n',
    );
  });

  it('judges a candidate the checker passes as same, though its transcript differs', () => {
    const report = judgedReport([...staffOf(), ...asCandidate(observations, 'good')], ['staff']);
    expect(report.tests.map((t) => [t.id, t.verdict.class])).toEqual(TESTS.map((t) => [t, 'same']));
    expect(report.summary.conclusion).toBe('success');
  });

  it("judges a test the checker fails as a regression with the checker's message, but not one the staff fails too", () => {
    const report = validateReport(
      judgedReport([...staffOf(), ...asCandidate(observations, 'wrong')], ['staff']),
      'report.json',
    );
    const verdict = (id: string) => report.tests.find((t) => t.id === id)?.verdict;
    expect(verdict('alarm-single')?.class).toBe('same');
    expect(verdict('priority-donate')?.class).toBe('same');
    expect(verdict('alarm-multiple')).toMatchObject({ class: 'regression', blame: 'kernel' });
    const reason =
      '(alarm-multiple) reported (alarm-multiple) thread 2 woke up out of order: FAILED';
    expect(verdict('alarm-multiple')?.diff).toContain(`+FAIL alarm-multiple\n`);
    expect(verdict('alarm-multiple')?.diff).toContain(`+${reason}\n`);
    expect(report.summary.conclusion).toBe('failure');
    // Where a test's detail is shown: the PR comment's markdown and report.html.
    expect(renderMarkdown(report)).toContain(reason);
    expect(renderHtml(report)).toContain('thread 2 woke up out of order');
  });

  it('keeps a checked reference boot in the observation cache, keyed by the checker too', async () => {
    const staff = kernels.filter((k) => k.name === 'staff');
    const again = await bootKernels(context, config(dir, PERL_CHECKER), staff, {
      outDir: path.join(dir, 'again'),
      docker,
      cached: { cache, digests },
      progress: quiet,
    });
    expect(again.observations.map((o) => o.boot.cached)).toEqual(TESTS.map(() => true));
    expect(again.observations.map((o) => o.tests)).toEqual(staffOf().map((o) => o.tests));
    // Another checker command is another observation: booted and checked afresh.
    const other = await bootKernels(
      context,
      config(dir, ['command: [perl, /course/check.pl, "{test}", "{output}"]'], ['alarm-single']),
      staff,
      { outDir: path.join(dir, 'other'), docker, cached: { cache, digests }, progress: quiet },
    );
    expect(other.observations[0]?.boot.cached).toBeUndefined();
    // Without `pass`, the exit status decides: check.pl exits 0, a pass.
    expect(other.observations[0]?.tests[0]?.status).toBe('pass');
  }, 300_000);

  it.each([
    [
      'times out',
      ['command: [perl, -e, "sleep 60", "{output}"]', 'timeout: 2s'],
      'the checker did not finish within 2 s (harness.checker.timeout)',
    ],
    [
      'crashes',
      ['command: [perl, -e, "die qq(checker bug\\n)", "{output}"]'],
      'the checker failed: exit status 255 (0 or 1 is a verdict): checker bug',
    ],
  ])(
    'gives a test whose checker %s to the infrastructure: not a pass, not a regression, never cached',
    async (_how, checker, unchecked) => {
      const out = path.join(dir, `broken-${_how.replace(' ', '-')}`);
      const said: string[] = [];
      const run = await bootKernels(
        context,
        config(out, checker, ['alarm-multiple']),
        kernels.filter((k) => k.name !== 'good'),
        { outDir: out, docker, cached: { cache, digests }, progress: (line) => said.push(line) },
      );
      expect(said).toContainEqual(
        expect.stringMatching(
          /^wrong\[alarm-multiple\]#1: completed at stage done, 1 test\(s\) \(1 unchecked \(harness\.checker\)\)/,
        ),
      );
      for (const observation of run.observations) {
        expect(observation.tests[0]).toMatchObject({ id: 'alarm-multiple', unchecked });
        expect(observation.boot.cached).toBeUndefined();
      }
      // Not kept: the same boot again is booted and checked again.
      const again = await bootKernels(
        context,
        config(out, checker, ['alarm-multiple']),
        kernels.filter((k) => k.name === 'staff'),
        { outDir: path.join(out, 'again'), docker, cached: { cache, digests }, progress: quiet },
      );
      expect(again.observations[0]?.boot.cached).toBeUndefined();
      expect(again.observations[0]?.tests[0]?.unchecked).toBe(unchecked);
      // The candidate's unchecked test against a staff run the checker judged.
      const staffRun = staffOf().filter((o) => o.test === 'alarm-multiple');
      const report = judgedReport(
        [...staffRun, ...asCandidate(run.observations, 'wrong')],
        ['staff'],
      );
      expect(report.tests[0]?.verdict).toMatchObject({
        class: 'ambiguous',
        blame: 'infrastructure',
        reason: `not judged: the course checker (harness.checker) could not judge the candidate's run: ${unchecked}`,
      });
      expect(report.summary.conclusion).toBe('neutral');
      expect(report.summary.note).toContain(unchecked);
      // The reference's run unchecked: no reference finished the test, the host is to blame.
      const refOnly = judgedReport(
        [
          ...run.observations.filter((o) => o.kernel === 'staff'),
          ...asCandidate(
            observations.filter((o) => o.test === 'alarm-multiple'),
            'wrong',
          ),
        ],
        ['staff'],
      );
      expect(refOnly.tests[0]?.verdict).toMatchObject({
        class: 'ambiguous',
        blame: 'infrastructure',
      });
      expect(refOnly.tests[0]?.verdict.reason).toContain(
        `no reference finished this test: the host failed the checker of staff's run (${unchecked})`,
      );
      expect(refOnly.summary.conclusion).toBe('neutral');
      // Both sides unchecked: nobody observed the test, so it has no verdict, and the run
      // none either (the note says why).
      const both = judgedReport(
        [
          ...run.observations.filter((o) => o.kernel === 'staff'),
          ...asCandidate(run.observations, 'wrong'),
        ],
        ['staff'],
      );
      expect(both.tests).toEqual([]);
      expect(both.summary).toMatchObject({ conclusion: 'neutral' });
      expect(both.summary.note).toContain(unchecked);
    },
    300_000,
  );

  it('runs the checker without network, host environment or a writable transcript', async () => {
    process.env.DIVERGE_CHECKER_SECRET = 'a token the checker must not see';
    // What the container lets the checker do, printed as facts; `pass` wants them all.
    const probe = [
      'open(my $dev, "<", "/proc/net/dev") or die;',
      'my @net = map { /^\\s*([\\w.-]+):/ ? $1 : () } <$dev>;',
      'print "net: @net\\n";',
      'print "transcript writable: ", (open(my $o, ">>", $ARGV[0]) ? "yes" : "no"), "\\n";',
      'print "root writable: ", (open(my $r, ">", "/probe") ? "yes" : "no"), "\\n";',
      'print "secret: ", ($ENV{DIVERGE_CHECKER_SECRET} // "none"), "\\n";',
    ].join(' ');
    const out = path.join(dir, 'sandbox');
    const run = await bootKernels(
      context,
      config(
        out,
        [
          `command: ${JSON.stringify(['perl', '-e', probe, '{output}'])}`,
          "pass: 'net: lo\\ntranscript writable: no\\nroot writable: no\\nsecret: none'",
        ],
        ['alarm-single'],
      ),
      kernels.filter((k) => k.name === 'staff'),
      { outDir: out, docker, progress: quiet },
    );
    delete process.env.DIVERGE_CHECKER_SECRET;
    // Each run's container is removed when it ends.
    const left = (await (await docker.client()).listContainers({ all: true })).filter(
      (c) => c.Labels['diverge.role'] === 'checker' && c.Command.includes('DIVERGE_CHECKER_SECRET'),
    );
    expect(left).toEqual([]);
    expect(run.observations[0]?.tests).toEqual([
      {
        id: 'alarm-single',
        status: 'pass',
        output: ['net: lo', 'transcript writable: no', 'root writable: no', 'secret: none'],
      },
    ]);
  }, 300_000);

  it('stops the run before any boot when the checker image does not build, naming the field', async () => {
    const out = path.join(dir, 'unbuildable');
    mkdirSync(path.join(out, 'checker'), { recursive: true });
    writeFileSync(
      path.join(out, 'checker', 'Dockerfile'),
      'FROM debian:bookworm-slim\nRUN echo "no perl here" >&2; exit 3\n',
    );
    const settings = config(out, PERL_CHECKER, ['alarm-single']);
    const broken = {
      ...settings,
      harness: {
        ...settings.harness,
        checker: {
          ...(settings.harness.checker as NonNullable<typeof settings.harness.checker>),
          build: { context: path.join(out, 'checker'), dockerfile: 'Dockerfile', args: {} },
        },
      },
    };
    const error = await bootKernels(context, broken, kernels, {
      outDir: out,
      docker,
      progress: quiet,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BuildError);
    expect((error as BuildError).message).toMatch(/^harness\.checker\.build: /);
    expect((error as BuildError).message).toContain('no perl here');
    expect(existsSync(path.join(out, 'logs', 'build-checker.log'))).toBe(true);
    expect(existsSync(path.join(out, 'observations'))).toBe(false);
  }, 300_000);
});
