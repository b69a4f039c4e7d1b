import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseConfig } from './config/load.js';
import { EXIT } from './constants.js';
import { runDifferential } from './differential.js';
import { renderTerminal } from './report/terminal.js';

/** The repository root: one level above both `src/` and `dist/`. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Reads `.cache/kernels/manifest.env`, written by scripts/fetch-kernels.sh. */
export async function fixtureKernels(): Promise<Record<string, string>> {
  const dir = path.join(REPO_ROOT, '.cache', 'kernels');
  const text = await readFile(path.join(dir, 'manifest.env'), 'utf8').catch(() => {
    throw new Error(`no fixture kernels in ${dir}: run scripts/setup.sh first`);
  });
  return Object.fromEntries(
    text
      .split('\n')
      .map((line) => /^(\w+)=(.+)$/.exec(line.trim()))
      .filter((m) => m !== null)
      .map((m) => [m[1] as string, path.join(dir, m[2] as string)]),
  );
}

/** Builds the Linux fixture harness tree (busybox + the static KTAP program) into `dir`. */
export async function buildLinuxHarness(
  dir: string,
  arch: 'x86_64' | 'aarch64' = 'x86_64',
): Promise<void> {
  await promisify(execFile)('bash', [
    path.join(REPO_ROOT, 'fixtures', 'linux', 'build-harness.sh'),
    dir,
    arch,
  ]);
}

/**
 * The embedded default: the Linux fixture harness (busybox + a static KTAP program) on real
 * Debian kernels fetched by set-up. The candidate is a 6.12 kernel, the references two 6.1
 * builds; the report shows what changed between them (cachestat and mseal arrived in between).
 */
export async function runDemo(outDir: string, log: (line: string) => void): Promise<number> {
  const kernels = await fixtureKernels();
  const harnessDir = path.join(outDir, 'harness-root');
  log('building the Linux fixture harness (busybox-static + a static KTAP program)');
  await buildLinuxHarness(harnessDir);
  const configFile = path.join(outDir, 'diverge.yml');
  const config = [
    '# written by diverge demo',
    'harness:',
    '  dir: harness-root',
    '  results: { format: ktap }',
    '  rerun-divergent: 1',
    'expectations: .github/diverge-expectations.yml',
    '',
  ].join('\n');
  await writeFile(configFile, config);
  const settings = parseConfig(config, configFile);
  const kernel = (name: string, file: string | undefined) => ({
    name,
    path: file as string,
    source: { debian: path.basename(file ?? '') },
  });
  const report = await runDifferential(
    settings,
    {
      candidate: kernel('candidate', kernels.X86_612),
      references: [
        kernel('debian-6.1-a', kernels.X86_61_A),
        kernel('debian-6.1-b', kernels.X86_61_B),
      ],
    },
    { outDir, variant: 'default', progress: log },
  );
  process.stdout.write(renderTerminal(report, { color: Boolean(process.stdout.isTTY) }));
  log(
    `report: ${path.join(outDir, 'report.json')} and report.md; serial logs in ${path.join(outDir, 'logs')}`,
  );
  log('the divergences above are real: Linux 6.12 behaves differently from 6.1 in those tests');
  return report.summary.conclusion === 'neutral' ? EXIT.infrastructure : EXIT.ok;
}
