import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Report } from '../../src/model/report.js';
import { validateReport } from '../../src/report/validate.js';
import { cli, fixtureKernels, linuxHarness, scratchDir } from '../helpers/fixtures.js';

const readReport = (dir: string) =>
  validateReport(JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')), 'report.json');
const verdicts = (report: Report) =>
  Object.fromEntries(
    report.tests.filter((t) => t.verdict.class !== 'same').map((t) => [t.id, t.verdict.class]),
  );

let kernels: Record<string, string>;
let harness: string;
beforeAll(async () => {
  kernels = await fixtureKernels();
  harness = await linuxHarness('x86_64');
});

function project(label: string): { dir: string; config: string } {
  const dir = scratchDir(label);
  const config = path.join(dir, 'diverge.yml');
  writeFileSync(config, `harness:\n  dir: ${harness}\n  rerun-divergent: 1\n`);
  return { dir, config };
}

describe('diverge run on real Debian kernels', () => {
  it('6.1 builds against each other: no divergence, although pids, times and releases differ', async () => {
    const { dir, config } = project('run-same');
    const out = path.join(dir, 'out');
    const result = await cli([
      'run',
      '-c',
      config,
      '--candidate',
      kernels.X86_61_B as string,
      '-r',
      `debian-55=${kernels.X86_61_A}`,
      '-o',
      out,
    ]);
    expect(result.code).toBe(0);
    const report = readReport(out);
    expect(report.summary).toMatchObject({
      tests: 14,
      same: 14,
      divergences: 0,
      failing: 0,
      conclusion: 'success',
    });
    // The raw outputs really differ; only normalisation makes them equal.
    const raw = (name: string) => readFileSync(path.join(out, 'logs', `${name}-1.log`), 'utf8');
    expect(raw('candidate')).toContain(
      'release 6.1.0-55-cloud-amd64'.replace(
        '55',
        kernels.X86_61_B?.match(/6\.1\.0-(\d+)/)?.[1] ?? '',
      ),
    );
    expect(raw('debian-55')).not.toContain(
      kernels.X86_61_B?.match(/6\.1\.0-\d+-cloud-amd64/)?.[0] ?? 'x',
    );
    expect(report.boots).toHaveLength(2); // nothing diverged: no extra boots
    expect(existsSync(path.join(out, 'report.md'))).toBe(true);
    expect(report.run.host.accel).toBe('tcg');
  });

  it('6.12 against two 6.1 builds: exactly the changed behaviours diverge, with the right classes', async () => {
    const { dir, config } = project('run-612');
    const out = path.join(dir, 'out');
    const result = await cli([
      'run',
      '-c',
      config,
      '--candidate',
      kernels.X86_612 as string,
      '-r',
      `debian-61a=${kernels.X86_61_A}`,
      '-r',
      `debian-61b=${kernels.X86_61_B}`,
      '-o',
      out,
    ]);
    expect(result.code).toBe(1);
    const report = readReport(out);
    expect(verdicts(report)).toEqual({
      cachestat_syscall: 'fix',
      unused_syscall_451: 'regression',
      mseal_probe: 'output',
    });
    expect(report.summary).toMatchObject({
      tests: 14,
      same: 11,
      divergences: 3,
      failing: 2,
      conclusion: 'failure',
    });
    // Something diverged, so every kernel was booted once more: 2 runs each.
    expect(report.boots).toHaveLength(6);
    const regression = report.tests.find((t) => t.id === 'unused_syscall_451')?.verdict;
    expect(regression).toMatchObject({
      severity: 'error',
      confidence: 1,
      agreeing: ['debian-61a', 'debian-61b'],
    });
    expect(regression?.counts).toEqual({
      candidate: '2:2',
      'debian-61a': '0:2',
      'debian-61b': '0:2',
    });
    const output = report.tests.find((t) => t.id === 'mseal_probe')?.verdict;
    expect(output?.diff).toContain('-mseal(NULL, 0, 0) = -1 errno ENOSYS');
    expect(output?.diff).toContain('+mseal(NULL, 0, 0) = 0 errno -');
    expect(result.stdout).toContain('unused_syscall_451');

    // Judged again without booting, after accepting today's divergences as expected.
    const update = await cli([
      'expectations',
      'update',
      '--report',
      path.join(out, 'report.json'),
      '-c',
      config,
    ]);
    expect(update.code).toBe(0);
    expect(readFileSync(path.join(dir, '.github', 'diverge-expectations.yml'), 'utf8')).toContain(
      'unused_syscall_451',
    );
    const again = await cli([
      'compare',
      '--from',
      out,
      '-c',
      config,
      '-o',
      path.join(dir, 'again'),
    ]);
    expect(again.code).toBe(0);
    const rejudged = readReport(path.join(dir, 'again'));
    expect(rejudged.summary).toMatchObject({ divergences: 0, failing: 0, conclusion: 'success' });
    expect(rejudged.summary.byClass).toEqual({ same: 11, expected: 3 });

    const markdown = await cli([
      'report',
      path.join(out, 'report.json'),
      '--format',
      'markdown',
      '--budget',
      '3000',
    ]);
    expect(markdown.code).toBe(0);
    expect(Buffer.byteLength(markdown.stdout)).toBeLessThanOrEqual(3000);
    expect(markdown.stdout).toContain('regression');
  });

  it('exit code 2 and a message naming the reference when a reference kernel is missing', async () => {
    const { dir, config } = project('run-missing');
    const result = await cli([
      'run',
      '-c',
      config,
      '--candidate',
      kernels.X86_612 as string,
      '-r',
      'staff=/nonexistent/vmlinuz',
      '-o',
      path.join(dir, 'out'),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('kernel "staff": file not found: /nonexistent/vmlinuz');
  });

  it('exit code 3 and a neutral report when every reference is broken', async () => {
    const { dir } = project('run-broken');
    const config = path.join(dir, 'broken.yml');
    // No harness: the references panic at once (no root); so does the candidate.
    writeFileSync(config, 'harness: { none: true }\n');
    const out = path.join(dir, 'out');
    const result = await cli([
      'run',
      '-c',
      config,
      '--candidate',
      kernels.X86_612 as string,
      '-r',
      `old=${kernels.X86_61_A}`,
      '-o',
      out,
    ]);
    expect(result.code).toBe(3);
    const report = readReport(out);
    expect(report.summary).toMatchObject({
      conclusion: 'neutral',
      note: 'every reference is broken: nothing to compare with',
    });
    expect(report.references[0]?.broken).toContain('panic');
  });
});
