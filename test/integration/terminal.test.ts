/**
 * The CLI as a terminal user meets it, through the bundle: `--json` and `--quiet`, colours that
 * follow NO_COLOR and FORCE_COLOR on a real terminal (a pty from script(1)), `demo --variant
 * staff-alt` as the README lists it, and the oldest Node package.json's engines allows (when
 * this host has one on PATH), where doctor and run agree.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { NODE_MINIMUM } from '../../src/model/constants.js';
import {
  cli,
  CLI,
  type CliResult,
  fixtureKernels,
  linuxHarness,
  REPO_ROOT,
  scratchDir,
} from '../helpers/fixtures.js';

let dir: string;
let config: string;
let candidate: string;
let reference: string;
let json: CliResult;
beforeAll(async () => {
  const kernels = await fixtureKernels();
  candidate = kernels.X86_612 as string;
  reference = kernels.X86_61_A as string;
  dir = scratchDir('terminal');
  config = path.join(dir, 'diverge.yml');
  writeFileSync(config, `harness:\n  dir: ${await linuxHarness()}\n  rerun-divergent: 0\n`);
  json = await cli(
    [
      'run',
      '-c',
      config,
      '--candidate',
      candidate,
      '-r',
      `debian=${reference}`,
      '-o',
      path.join(dir, 'out'),
      '--json',
      '--quiet',
    ],
    { ...process.env, XDG_CACHE_HOME: path.join(dir, 'cache') },
  );
}, 600_000);

/** The bundle on a pseudo-terminal (script -qec), with `env`; what the terminal showed. */
function onTerminal(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a}'`).join(' ');
  return new Promise((resolve) => {
    execFile('script', ['-qec', command, '/dev/null'], { env }, (_error, stdout) =>
      resolve(stdout),
    );
  });
}

describe('--json and --quiet through the bundle', () => {
  it('run --json --quiet: one JSON document on stdout, no progress lines', () => {
    const summary = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({
      command: 'run',
      exitCode: json.code,
      conclusion: 'failure',
      candidate: { name: 'candidate' },
      references: [{ name: 'debian' }],
      files: { report: path.join(dir, 'out', 'report.json') },
    });
    expect(json.code).toBe(1); // Linux 6.12 diverges from 6.1
    expect(summary.divergences).toEqual(
      expect.arrayContaining([expect.objectContaining({ class: 'regression', failing: true })]),
    );
    expect(json.stderr).not.toContain('[diverge]');
  });

  it('doctor --json: the findings, Node among them', async () => {
    const doctor = await cli(['doctor', '--json']);
    const summary = JSON.parse(doctor.stdout) as {
      command: string;
      exitCode: number;
      findings: { what: string }[];
    };
    expect(summary).toMatchObject({ command: 'doctor', exitCode: doctor.code });
    expect(summary.findings.map((f) => f.what)).toEqual(expect.arrayContaining(['Node', 'Docker']));
  });
});

describe('colours', () => {
  const report = () => ['report', path.join(dir, 'out', 'report.json')];
  const env = (extra: NodeJS.ProcessEnv) => {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !['NO_COLOR', 'FORCE_COLOR', 'CI'].includes(k)),
    );
    return { ...clean, TERM: 'xterm', ...extra };
  };

  it('on a terminal unless NO_COLOR is set; in a pipe only with FORCE_COLOR', async () => {
    expect(await onTerminal(report(), env({}))).toContain('\x1b[31m');
    expect(await onTerminal(report(), env({ NO_COLOR: '1' }))).not.toContain('\x1b[');
    expect(await onTerminal(report(), env({ FORCE_COLOR: '0' }))).not.toContain('\x1b[');
    expect((await cli(report(), env({}))).stdout).not.toContain('\x1b[');
    expect((await cli(report(), env({ FORCE_COLOR: '1' }))).stdout).toContain('\x1b[31m');
  });
});

describe('demo --variant', () => {
  it('takes staff-alt, as the README lists it: judged against staff alone', async () => {
    const out = path.join(scratchDir('demo-staff-alt'), 'demo');
    const alt = await cli(['demo', '--variant', 'staff-alt', '-o', out]);
    expect(alt.code).toBe(0);
    expect(alt.stdout).toMatch(/^staff-alt\b.*\byes$/m);
    const altReport = JSON.parse(
      readFileSync(path.join(out, 'staff-alt', 'report.json'), 'utf8'),
    ) as {
      summary: { divergences: number };
      references: { name: string }[];
    };
    expect(altReport.references.map((r) => r.name)).toEqual(['staff']);
    expect(altReport.summary.divergences).toBe(0);
    expect(existsSync(path.join(out, 'panic'))).toBe(false);
    const typo = await cli(['demo', '--variant', 'staff-alternative', '-o', out]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain(
      'diverge: no variant "staff-alternative" in the fixture course (variants: staff-alt, ',
    );
  }, 600_000);
});

/** `node` on PATH when it is older than the Node the suite runs on, and engines allow it. */
function olderNode(): { bin: string; version: string } | undefined {
  const found = spawnSync('node', ['--version'], { encoding: 'utf8' });
  const version = found.stdout?.trim().replace(/^v/, '');
  if (found.status !== 0 || !version) return undefined;
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [least, leastMinor] = NODE_MINIMUM;
  const allowed = major > least || (major === least && minor >= leastMinor);
  return allowed && major < Number(process.versions.node.split('.')[0])
    ? { bin: 'node', version }
    : undefined;
}

const older = olderNode();
(older ? describe : describe.skip)(
  `the oldest Node engines allow (${older?.version ?? 'none on PATH'})`,
  () => {
    const onOlder = (args: string[]): Promise<CliResult> =>
      new Promise((resolve) => {
        execFile(
          older?.bin ?? 'node',
          [CLI, ...args],
          {
            env: { ...process.env, XDG_CACHE_HOME: path.join(dir, 'cache') },
            maxBuffer: 16 * 1024 * 1024,
          },
          (error, stdout, stderr) =>
            resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });

    it('runs diverge run as Node 24 does, and doctor does not fail it', async () => {
      const run = await onOlder([
        'run',
        '-c',
        config,
        '--candidate',
        candidate,
        '-r',
        `debian=${reference}`,
        '-o',
        path.join(dir, 'out-older'),
        '--json',
        '--quiet',
      ]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(json.code);
      expect(JSON.parse(run.stdout)).toMatchObject({ command: 'run', conclusion: 'failure' });
      const doctor = JSON.parse((await onOlder(['doctor', '--json'])).stdout) as {
        findings: { what: string; ok: boolean; warning?: boolean }[];
      };
      const node = doctor.findings.find((f) => f.what === 'Node');
      expect(node?.ok || node?.warning).toBe(true);
      const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
        engines: { node: string };
      };
      expect(pkg.engines.node).toBe(`>=${NODE_MINIMUM.join('.')}`);
    }, 600_000);
  },
);
