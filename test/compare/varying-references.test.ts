/**
 * A staff kernel whose own output varies from boot to boot, judged the way a user meets it:
 * `diverge compare` on a saved run (boots.json) of per-test boots, Pintos style, three boots of
 * each test (the first and the two a rerun adds). The staff kernel fails the timing-sensitive
 * `mlfqs-load-1` on one boot in three; in `priority-equal` two threads of equal priority print
 * one line each, in whichever order the scheduler ran them (the staff's three boots happened to
 * show one order). Runs the bundled CLI: `npm run build` first.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { Report } from '../../src/model/report.js';
import { cli, scratchDir } from '../helpers/fixtures.js';
import { bootRecord } from '../helpers/observations.js';

type Run = { status: 'pass' | 'fail'; output: string[] };
/** Per test, the kernel's runs in boot order. */
type Kernel = Record<string, Run[]>;

const pass = (...output: string[]): Run => ({ status: 'pass', output });
const fail = (...output: string[]): Run => ({ status: 'fail', output });
const thrice = (run: Run) => [run, run, run];

const SINGLE = pass('(alarm-single) begin', '(alarm-single) end');
const AB = pass('(priority-equal) thread a ran', '(priority-equal) thread b ran');
const BA = pass('(priority-equal) thread b ran', '(priority-equal) thread a ran');
const LOAD_OK = pass('(mlfqs-load-1) begin', '(mlfqs-load-1) end');
const LOAD_SLOW = fail(
  '(mlfqs-load-1) begin',
  '(mlfqs-load-1) load average rose to 0.5 after 42 seconds',
  '(mlfqs-load-1) FAIL: load average took too long',
);

const STAFF: Kernel = {
  'alarm-single': thrice(SINGLE),
  'priority-equal': thrice(AB),
  'mlfqs-load-1': [LOAD_OK, LOAD_SLOW, LOAD_OK],
};

/** The same code built apart: it varies as the staff kernel does. */
const STAFF_ALT: Kernel = {
  'alarm-single': thrice(SINGLE),
  'priority-equal': [BA, AB, BA],
  'mlfqs-load-1': [LOAD_SLOW, LOAD_OK, LOAD_OK],
};

/** A student whose alarm wakes a thread too early now and then. */
const FLAKY: Kernel = {
  'alarm-single': [
    SINGLE,
    fail('(alarm-single) begin', '(alarm-single) FAIL: thread 0 woke up too early'),
    SINGLE,
  ],
  'priority-equal': [AB, BA, AB],
  'mlfqs-load-1': thrice(LOAD_OK),
};

/** A student who is wrong on every boot, also on the test the staff kernel varies on. */
const WRONG: Kernel = {
  'alarm-single': thrice(fail('(alarm-single) begin', '(alarm-single) FAIL: no thread woke up')),
  'priority-equal': thrice(pass('(priority-equal) thread a ran', '(priority-equal) thread a ran')),
  'mlfqs-load-1': [
    fail('(mlfqs-load-1) begin', '(mlfqs-load-1) FAIL: load average stuck at 0.00'),
    fail('(mlfqs-load-1) FAIL: load average stuck at 0.00', '(mlfqs-load-1) begin'),
    fail('(mlfqs-load-1) begin', '(mlfqs-load-1) FAIL: load average stuck at 0.00'),
  ],
};

const TESTS = ['alarm-single', 'priority-equal', 'mlfqs-load-1'];

const CONFIG = `machine: { arch: i386, append: '-q run {test}' }
harness:
  tests: [${TESTS.join(', ')}]
normalize: { unordered: [priority-*] }
`;

/** boots.json of one boot per (kernel, test, attempt). */
function savedRun(dir: string, kernels: Record<string, Kernel>): void {
  mkdirSync(dir, { recursive: true });
  const observations = Object.entries(kernels).flatMap(([kernel, tests]) =>
    TESTS.flatMap((test) =>
      (tests[test] ?? []).map(({ status, output }, i) => ({
        kernel,
        attempt: i + 1,
        test,
        boot: bootRecord(kernel, i + 1, 'completed', { test, log: '', durationMs: 900 }),
        tests: [{ id: test, status, output }],
        complete: true,
        problems: [],
      })),
    ),
  );
  const harness = { digest: `sha256:${'0'.repeat(64)}`, format: 'regex', channel: 'console' };
  const host = { qemu: 'QEMU 8', accel: 'tcg', accelReason: 'x', cpus: 1, jobs: 1 };
  writeFileSync(path.join(dir, 'boots.json'), JSON.stringify({ host, harness, observations }));
}

const root = scratchDir('varying-references');
const configFile = path.join(root, 'diverge.yml');
writeFileSync(configFile, CONFIG);

/** `diverge compare` of the staff kernel and `candidate`'s boots, with `config`. */
async function compare(name: string, candidate: Kernel, config = configFile) {
  const from = path.join(root, name);
  savedRun(from, { staff: STAFF, [name]: candidate });
  const out = path.join(root, `${name}-${path.basename(config, '.yml')}-report`);
  const result = await cli([
    'compare',
    '-c',
    config,
    '--from',
    from,
    '--candidate',
    name,
    '-o',
    out,
  ]);
  const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as Report;
  const verdict = (id: string) => report.tests.find((t) => t.id === id)?.verdict;
  const classes = Object.fromEntries(report.tests.map((t) => [t.id, t.verdict.class]));
  const read = (file: string) => readFileSync(path.join(out, file), 'utf8');
  return { ...result, report, verdict, classes, read };
}

describe('diverge compare: a staff kernel whose output varies from boot to boot', () => {
  it('staff-alt varies as the staff kernel does: same everywhere, with the note', async () => {
    const run = await compare('staff-alt', STAFF_ALT);
    expect(run.code).toBe(0);
    expect(run.classes).toEqual({
      'alarm-single': 'same',
      'priority-equal': 'same',
      'mlfqs-load-1': 'same',
    });
    expect(run.report.summary).toMatchObject({ divergences: 0, conclusion: 'success' });
    expect(run.verdict('mlfqs-load-1')).toMatchObject({
      varying: ['staff'],
      counts: { candidate: '1:3', staff: '1:3' },
    });
    const note = 'the references vary on this test (staff: 2 outcomes in 3 runs)';
    expect(run.verdict('mlfqs-load-1')?.reason).toContain(note);
    expect(run.verdict('priority-equal')?.reason).toBe(
      'matches staff (lines compared in any order)',
    );
    expect(run.verdict('alarm-single')).not.toHaveProperty('varying');
    // Where a user reads it: the job summary, the terminal and the page.
    expect(run.read('report.md')).toContain(
      '#### Tests the references vary on, judged same (1)\n\n' +
        "The named references' own runs of these tests differ; every run of the candidate is an outcome every reference showed:\n\n" +
        '- `mlfqs-load-1`: staff\n',
    );
    expect(run.stdout + run.stderr).toContain(
      '1 test the references vary on, the candidate within what they showed: mlfqs-load-1',
    );
    expect(run.read('report.html')).toContain(note);
  });

  it('staff-alt without normalize.unordered: its other line order is flaky', async () => {
    const plain = path.join(root, 'in-order.yml');
    writeFileSync(plain, CONFIG.replace('normalize: { unordered: [priority-*] }\n', ''));
    const run = await compare('staff-alt', STAFF_ALT, plain);
    expect(run.classes).toMatchObject({ 'priority-equal': 'flaky', 'mlfqs-load-1': 'same' });
  });

  it('a student who fails now and then is flaky where the staff kernel never varies', async () => {
    const run = await compare('student-flaky', FLAKY);
    expect(run.code).toBe(0); // flaky is not in the default fail-on
    expect(run.classes).toEqual({
      'alarm-single': 'flaky',
      'priority-equal': 'same',
      'mlfqs-load-1': 'same',
    });
    expect(run.verdict('alarm-single')).toMatchObject({
      counts: { candidate: '1:3', staff: '0:3' },
    });
    expect(run.verdict('alarm-single')).not.toHaveProperty('varying');
    // Passing every time is within what the staff kernel showed.
    expect(run.verdict('mlfqs-load-1')).toMatchObject({ varying: ['staff'] });
  });

  it('a student who is wrong on every boot diverges, also where the staff kernel varies', async () => {
    const run = await compare('student-wrong', WRONG);
    expect(run.code).toBe(1);
    expect(run.classes).toEqual({
      'alarm-single': 'regression',
      'priority-equal': 'output',
      'mlfqs-load-1': 'regression',
    });
    expect(run.verdict('mlfqs-load-1')).toMatchObject({
      failing: true,
      varying: ['staff'],
      counts: { candidate: '3:3', staff: '1:3' },
    });
    expect(run.read('report.md')).not.toContain('judged same');
  });
});
