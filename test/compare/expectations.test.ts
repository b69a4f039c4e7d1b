import { describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../src/config/load.js';
import {
  type Expectation,
  loadExpectations,
  type MatchContext,
  matchExpectation,
  parseExpectations,
  reportDivergences,
  staleExpectations,
  updateExpectations,
} from '../../src/compare/expectations.js';
import { makeTest, sampleReport } from '../report/sample.js';

const FILE = '.github/diverge-expectations.yml';
const lines = (...l: string[]) => l.join('\n') + '\n';
const scratch = () => mkdtemp(path.join(tmpdir(), 'diverge-expectations-'));

function errorOf(text: string): ConfigError {
  try {
    parseExpectations(text, FILE);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseExpectations', () => {
  it('reads every field and records each entry line', () => {
    const text = lines(
      '# accepted divergences', //                        1
      'expectations:', //                                 2
      '  - test: "syscalls.cachestat*"', //               3
      '    classes: [fix, new]', //                       4
      '    reference: staff', //                          5
      '    arch: x86_64', //                              6
      '    variant: default', //                          7
      '    reason: cachestat(2) is new in 6.5', //        8
      '    link: https://example.org/bug/1', //           9
      '    expires: 2027-01-31', //                       10
      '  # a comment between entries', //                 11
      '  - test: fs.**', //                               12
      '    outcomes: [fail, skip]', //                    13
      '    reason: "no fs yet"', //                       14
      '    link:', //                                     15 (empty means not set)
    );
    expect(parseExpectations(text, FILE)).toStrictEqual([
      {
        test: 'syscalls.cachestat*',
        classes: ['fix', 'new'],
        reference: 'staff',
        arch: 'x86_64',
        variant: 'default',
        reason: 'cachestat(2) is new in 6.5',
        link: 'https://example.org/bug/1',
        expires: '2027-01-31',
        line: 3,
      },
      { test: 'fs.**', outcomes: ['fail', 'skip'], reason: 'no fs yet', line: 12 },
    ]);
  });

  it('takes an empty file, a comment-only file and an empty list as no entries', () => {
    expect(parseExpectations('', FILE)).toStrictEqual([]);
    expect(parseExpectations('# nothing accepted yet\n', FILE)).toStrictEqual([]);
    expect(parseExpectations('expectations:\n', FILE)).toStrictEqual([]);
    expect(parseExpectations('expectations: []\n', FILE)).toStrictEqual([]);
  });

  it('reports every problem with file, line and field, in file order', () => {
    const text = lines(
      'expectations:', //                                 1
      '  - test: a.b', //                                 2
      '    classes: [fix]', //                            3
      '    reason: ok', //                                4
      '  - test: c', //                                   5
      '    classes:', //                                  6
      '      - regresion', //                             7
      '    reason: typo', //                              8
      '  - test: d', //                                   9
      '    classes: [same]', //                           10
      '    outcome: [fail]', //                           11
      '    reason: ""', //                                12
      '  - test: e', //                                   13
      '    reason: nothing to accept', //                 14
      '  - test: f', //                                   15
      '    outcomes: [crashed]', //                       16
      '    classes: []', //                               17
      '    link: ftp://example.org/x', //                 18
      '    expires: 2027-02-30', //                       19
      '    reason: r', //                                 20
      '  - classes: [expected]', //                       21
      '    arch: 64', //                                  22
    );
    const error = errorOf(text);
    expect(error.file).toBe(FILE);
    const classes = 'regression, fix, output, crash, hang, missing, new, flaky, ambiguous';
    const keys = 'test, classes, outcomes, reference, arch, variant, reason, link, expires';
    // A missing key is reported at its entry's line, a wrong value at its key's line.
    expect(error.message).toBe(
      [
        `${FILE}:7: expectations[1].classes[0]: expected one of ${classes}, got "regresion"`,
        `${FILE}:10: expectations[2].classes[0]: expected one of ${classes}, got "same"`,
        `${FILE}:11: expectations[2].outcome: unknown key (expected one of ${keys})`,
        `${FILE}:12: expectations[2].reason: expected a reason (why this divergence is accepted), got ""`,
        `${FILE}:13: expectations[3]: missing classes or outcomes (at least one of them)`,
        `${FILE}:16: expectations[4].outcomes[0]: expected one of pass, fail, skip, error, missing, got "crashed"`,
        `${FILE}:17: expectations[4].classes: expected a non-empty list of classes, got []`,
        `${FILE}:18: expectations[4].link: expected an http:// or https:// URL, got "ftp://example.org/x"`,
        `${FILE}:19: expectations[4].expires: expected a date like 2027-01-31, got "2027-02-30"`,
        `${FILE}:21: expectations[5].test: missing (expected a test id or glob)`,
        `${FILE}:21: expectations[5].classes[0]: expected one of ${classes}, got "expected"`,
        `${FILE}:21: expectations[5].reason: missing (expected a reason (why this divergence is accepted))`,
        `${FILE}:22: expectations[5].arch: expected an architecture like x86_64, got 64`,
      ].join('\n'),
    );
  });

  it('reports unknown top-level keys, a wrong shape and YAML syntax errors', () => {
    expect(errorOf('expectation:\n  - test: a\n').message).toBe(
      `${FILE}:1: expectation: unknown key (expected one of expectations)`,
    );
    expect(errorOf('expectations:\n  test: a\n').message).toBe(
      `${FILE}:1: expectations: expected a list of expectations, got {"test":"a"}`,
    );
    expect(errorOf('- test: a\n').message).toBe(
      `${FILE}:1: expected a mapping, got [{"test":"a"}]`,
    );
    expect(errorOf('expectations:\n  - test: [a\n').issues).toMatchObject([{ path: '', line: 3 }]);
  });
});

describe('loadExpectations', () => {
  it('treats a missing file as no entries', async () => {
    const dir = await scratch();
    await expect(loadExpectations(path.join(dir, 'none.yml'))).resolves.toStrictEqual([]);
  });

  it('throws a ConfigError naming the file as given', async () => {
    const dir = await scratch();
    const file = path.join(dir, 'exp.yml');
    await writeFile(file, 'expectations:\n  - test: a\n    classes: [fix]\n');
    const error = await loadExpectations(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      `${file}:2: expectations[0].reason: missing (expected a reason (why this divergence is accepted))`,
    );
  });

  it('reports a path it cannot read', async () => {
    const dir = await scratch();
    await expect(loadExpectations(dir)).rejects.toThrow(
      new RegExp(`^${dir}: cannot read expectations: EISDIR`),
    );
  });
});

describe('matchExpectation', () => {
  const ctx = (over: Partial<MatchContext> = {}): MatchContext => ({
    test: 'syscalls.cachestat01',
    class: 'fix',
    candidateStatus: 'pass',
    agreeing: ['staff'],
    references: ['staff', 'base'],
    arch: 'x86_64',
    variant: 'default',
    today: '2026-06-01',
    ...over,
  });
  const entry = (over: Partial<Expectation>): Expectation => ({
    test: 'syscalls.cachestat*',
    classes: ['fix'],
    reason: 'new in 6.5',
    ...over,
  });

  it('needs the glob to match the id', () => {
    const e = entry({});
    expect(matchExpectation([e], ctx())).toBe(e);
    expect(matchExpectation([e], ctx({ test: 'syscalls.cachestat.sub' }))).toBeUndefined();
    expect(matchExpectation([e], ctx({ test: 'syscalls.read' }))).toBeUndefined();
  });

  it('accepts by class or by candidate outcome', () => {
    const byClass = entry({ classes: ['regression', 'crash'] });
    expect(matchExpectation([byClass], ctx({ class: 'crash' }))).toBe(byClass);
    expect(matchExpectation([byClass], ctx({ class: 'hang' }))).toBeUndefined();
    const byOutcome = entry({ classes: undefined, outcomes: ['skip', 'fail'] });
    expect(
      matchExpectation([byOutcome], ctx({ class: 'regression', candidateStatus: 'skip' })),
    ).toBe(byOutcome);
    expect(
      matchExpectation([byOutcome], ctx({ class: 'regression', candidateStatus: 'error' })),
    ).toBeUndefined();
    const either = entry({ classes: ['output'], outcomes: ['fail'] });
    expect(matchExpectation([either], ctx({ class: 'output', candidateStatus: 'pass' }))).toBe(
      either,
    );
    expect(matchExpectation([either], ctx({ class: 'missing', candidateStatus: 'fail' }))).toBe(
      either,
    );
  });

  it('never turns a non-divergence into an expected one', () => {
    const e = entry({ classes: undefined, outcomes: ['fail', 'pass'] });
    expect(matchExpectation([e], ctx({ class: 'same' }))).toBeUndefined();
    expect(matchExpectation([e], ctx({ class: 'expected' }))).toBeUndefined();
  });

  it('applies the reference, arch and variant scopes', () => {
    const staff = entry({ reference: 'staff' });
    expect(matchExpectation([staff], ctx())).toBe(staff);
    expect(matchExpectation([staff], ctx({ agreeing: ['base'] }))).toBeUndefined();
    // a `new` test has no agreeing reference: the report's only reference still scopes it
    const onlyStaff = ctx({ class: 'new', agreeing: [], references: ['staff'] });
    const newTest = entry({ reference: 'staff', classes: ['new'] });
    expect(matchExpectation([newTest], onlyStaff)).toBe(newTest);
    expect(
      matchExpectation([newTest], { ...onlyStaff, references: ['staff', 'base'] }),
    ).toBeUndefined();

    const arm = entry({ arch: 'aarch64' });
    expect(matchExpectation([arm], ctx())).toBeUndefined();
    expect(matchExpectation([arm], ctx({ arch: 'aarch64' }))).toBe(arm);
    const debug = entry({ variant: 'debug' });
    expect(matchExpectation([debug], ctx())).toBeUndefined();
    expect(matchExpectation([debug], ctx({ variant: 'debug' }))).toBe(debug);
  });

  it('returns the first entry that matches', () => {
    const scoped = entry({ arch: 'aarch64', reason: 'arm' });
    const first = entry({ test: 'syscalls.**', reason: 'first' });
    const second = entry({ reason: 'second' });
    expect(matchExpectation([scoped, first, second], ctx())).toBe(first);
    expect(matchExpectation([], ctx())).toBeUndefined();
  });

  it('stops matching on the expiry date', () => {
    const e = entry({ expires: '2027-01-31' });
    expect(matchExpectation([e], ctx({ today: '2027-01-30' }))).toBe(e);
    expect(matchExpectation([e], ctx({ today: '2027-01-31' }))).toBeUndefined();
    expect(matchExpectation([e], ctx({ today: '2028-01-01' }))).toBeUndefined();
  });
});

describe('staleExpectations', () => {
  it('lists expired entries and entries that matched nothing', () => {
    const used: Expectation = { test: 'a.*', classes: ['fix'], reason: 'r' };
    const unused: Expectation = { test: 'b', outcomes: ['fail'], reason: 'r' };
    const expired: Expectation = {
      test: 'c',
      classes: ['new'],
      reason: 'r',
      expires: '2027-01-31',
    };
    const live: Expectation = { test: 'd', classes: ['new'], reason: 'r', expires: '2027-02-01' };
    const entries: Expectation[] = [used, unused, expired, live];
    expect(staleExpectations(entries, new Set([used, live]), '2027-01-31')).toStrictEqual([
      { test: 'b', reason: 'matched no divergence' },
      { test: 'c', reason: 'expired on 2027-01-31' },
    ]);
    expect(staleExpectations(entries, new Set(entries), '2026-12-31')).toStrictEqual([]);
  });

  it('says when an entry matches no test of the run at all, naming the nearest ids', () => {
    const typo: Expectation = { test: 'fs.raed*', classes: ['fix'], reason: 'r' };
    const quiet: Expectation = { test: 'fs.write', classes: ['fix'], reason: 'r' };
    const tests = ['fs.read', 'fs.readv', 'fs.write', 'sleep'];
    expect(staleExpectations([typo, quiet], new Set(), '2027-01-31', tests)).toStrictEqual([
      { test: 'fs.raed*', reason: 'matches no test (nearest: fs.read, fs.readv, fs.write)' },
      { test: 'fs.write', reason: 'matched no divergence' },
    ]);
  });
});

describe('reportDivergences', () => {
  it("is every divergence the kernel is blamed for, with the candidate's first status", () => {
    const report = sampleReport();
    const regression = report.tests.find((t) => t.id === 'mm.alloc');
    if (regression)
      regression.observations.candidate = [{ attempt: 1, status: 'fail', output: ['not ok'] }];
    report.tests.push(makeTest('net.dns', { class: 'crash', blame: 'infrastructure' }));
    expect(reportDivergences(report)).toStrictEqual([
      { test: 'timer.jitter', class: 'flaky', candidateStatus: 'missing' },
      { test: 'net.ping', class: 'fix', candidateStatus: 'missing' },
      { test: 'fs.open', class: 'crash', candidateStatus: 'missing' },
      { test: 'proc.ps', class: 'output', candidateStatus: 'missing' },
      { test: 'fs.read', class: 'crash', candidateStatus: 'missing' },
      { test: 'mm.alloc', class: 'regression', candidateStatus: 'fail' },
      { test: 'fs.write', class: 'crash', candidateStatus: 'missing' },
    ]);
  });
});

describe('updateExpectations', () => {
  const context = { arch: 'x86_64', variant: 'default', today: '2026-06-01' };

  it('appends uncovered divergences and keeps entries and comments as they were', async () => {
    const dir = await scratch();
    const file = path.join(dir, 'diverge-expectations.yml');
    await writeFile(
      file,
      lines(
        '# Accepted by the course staff.',
        '',
        'expectations:',
        '  # cachestat arrived in 6.5',
        '  - test: "syscalls.cachestat*" # quoted on purpose',
        '    classes: [fix]',
        '    reason: cachestat(2) is new in 6.5 and the reference kernels are older than that, by far',
        '',
        '  - test: fs.*',
        '    outcomes:',
        '      - skip',
        '    arch: aarch64',
        '    reason: no block device on virt',
        '  - test: old.one',
        '    classes: [regression]',
        '    reason: was fixed upstream',
        '    expires: 2026-01-01',
      ),
    );
    const result = await updateExpectations(
      file,
      [
        { test: 'syscalls.cachestat02', class: 'fix', candidateStatus: 'pass' }, // covered
        { test: 'fs.open', class: 'regression', candidateStatus: 'skip' }, // other arch only
        { test: 'old.one', class: 'regression', candidateStatus: 'fail' }, // entry expired
        { test: 'test[1](x)+', class: 'output', candidateStatus: 'pass' },
        { test: 'same.test', class: 'same', candidateStatus: 'pass' },
      ],
      context,
    );
    expect(result).toStrictEqual({ added: 3, kept: 3 });
    expect(await readFile(file, 'utf8')).toBe(
      lines(
        '# Accepted by the course staff.',
        '',
        'expectations:',
        '  # cachestat arrived in 6.5',
        '  - test: "syscalls.cachestat*" # quoted on purpose',
        '    classes: [fix]',
        '    reason: cachestat(2) is new in 6.5 and the reference kernels are older than that, by far',
        '',
        '  - test: fs.*',
        '    outcomes:',
        '      - skip',
        '    arch: aarch64',
        '    reason: no block device on virt',
        '  - test: old.one',
        '    classes: [regression]',
        '    reason: was fixed upstream',
        '    expires: 2026-01-01',
        '  - test: fs.open',
        '    classes: [regression]',
        '    reason: "accepted on 2026-06-01: regression"',
        '  - test: old.one',
        '    classes: [regression]',
        '    reason: "accepted on 2026-06-01: regression"',
        '  - test: test[1](x)+',
        '    classes: [output]',
        '    reason: "accepted on 2026-06-01: output"',
      ),
    );
    // what it wrote reads back, and now covers the divergences
    const entries = await loadExpectations(file);
    expect(entries.map((e) => e.test)).toStrictEqual([
      'syscalls.cachestat*',
      'fs.*',
      'old.one',
      'fs.open',
      'old.one',
      'test[1](x)+',
    ]);
    expect(await readdir(dir)).toStrictEqual(['diverge-expectations.yml']);
  });

  it('creates a missing file and its directory, and a second update changes nothing', async () => {
    const dir = await scratch();
    const file = path.join(dir, '.github', 'diverge-expectations.yml');
    const divergences = [
      { test: 'usertests.sbrkbugs', class: 'crash', candidateStatus: 'error' },
      { test: 'usertests.forktest', class: 'hang', candidateStatus: 'missing' },
      { test: 'usertests.forktest', class: 'output', candidateStatus: 'fail' },
    ] as const;
    const first = await updateExpectations(file, [...divergences], context);
    expect(first).toStrictEqual({ added: 2, kept: 0 });
    const expected = lines(
      '# Known divergences this project accepts: diverge shows them as class "expected" instead of',
      '# failing. Each entry: test (an id, or a glob: * within a dot-separated segment, ** across',
      "# segments, ? one character but .), classes and/or outcomes (the candidate's statuses) to accept,",
      '# optional reference / arch / variant scopes, reason (required), link, expires (YYYY-MM-DD).',
      '# "diverge expectations update" appends entries and keeps the rest of this file, comments too.',
      '',
      'expectations:',
      '  - test: usertests.sbrkbugs',
      '    classes: [crash]',
      '    reason: "accepted on 2026-06-01: crash"',
      '  - test: usertests.forktest',
      '    classes: [hang, output]',
      '    reason: "accepted on 2026-06-01: hang"',
    );
    expect(await readFile(file, 'utf8')).toBe(expected);

    const second = await updateExpectations(file, [...divergences], {
      ...context,
      today: '2026-06-02',
    });
    expect(second).toStrictEqual({ added: 0, kept: 2 });
    expect(await readFile(file, 'utf8')).toBe(expected);
  });

  it('adds to an empty list and to a comment-only file', async () => {
    const dir = await scratch();
    const flow = path.join(dir, 'flow.yml');
    await writeFile(flow, '# none yet\nexpectations: []\n');
    const divergence = { test: 'a', class: 'new', candidateStatus: 'pass' } as const;
    expect(await updateExpectations(flow, [divergence], context)).toStrictEqual({
      added: 1,
      kept: 0,
    });
    expect(await readFile(flow, 'utf8')).toBe(
      lines(
        '# none yet',
        'expectations:',
        '  - test: a',
        '    classes: [new]',
        '    reason: "accepted on 2026-06-01: new"',
      ),
    );
    const bare = path.join(dir, 'bare.yml');
    await writeFile(bare, '# none yet\n');
    await updateExpectations(bare, [divergence], context);
    expect(await readFile(bare, 'utf8')).toBe(
      lines(
        '# none yet',
        '',
        'expectations:',
        '  - test: a',
        '    classes: [new]',
        '    reason: "accepted on 2026-06-01: new"',
      ),
    );
  });

  it('counts a reference-scoped entry as covering only when the reference agrees', async () => {
    const dir = await scratch();
    const file = path.join(dir, 'exp.yml');
    const text = lines(
      'expectations:',
      '  - test: a',
      '    classes: [fix]',
      '    reference: staff',
      '    reason: r',
    );
    await writeFile(file, text);
    const fix = { test: 'a', class: 'fix', candidateStatus: 'pass' } as const;
    const withRefs = { ...context, references: ['staff', 'base'] };
    expect(
      await updateExpectations(file, [{ ...fix, agreeing: ['staff'] }], withRefs),
    ).toStrictEqual({ added: 0, kept: 1 });
    expect(
      await updateExpectations(file, [{ ...fix, agreeing: ['base'] }], withRefs),
    ).toStrictEqual({ added: 1, kept: 1 });
  });

  it('refuses to rewrite an invalid file', async () => {
    const dir = await scratch();
    const file = path.join(dir, 'exp.yml');
    const text = 'expectations:\n  - test: a\n    classes: [fixed]\n    reason: r\n';
    await writeFile(file, text);
    const divergence = { test: 'b', class: 'fix', candidateStatus: 'pass' } as const;
    await expect(updateExpectations(file, [divergence], context)).rejects.toThrow(ConfigError);
    expect(await readFile(file, 'utf8')).toBe(text);
  });
});
