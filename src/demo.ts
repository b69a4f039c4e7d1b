import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseConfig } from './config/load.js';
import { EXIT } from './constants.js';
import { bootKernels } from './pipeline.js';

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
 * The embedded default: boots the Linux fixture harness on the Debian kernels that set-up
 * fetched (two 6.1 builds and a 6.12 build) and prints what each boot observed.
 */
export async function runDemo(outDir: string, log: (line: string) => void): Promise<number> {
  const kernels = await fixtureKernels();
  const harnessDir = path.join(outDir, 'harness-root');
  log('building the Linux fixture harness (busybox-static + a static KTAP program)');
  await buildLinuxHarness(harnessDir);
  const configFile = path.join(outDir, 'diverge.yml');
  const config = `# written by diverge demo\nharness:\n  dir: harness-root\n  results: { format: ktap }\n  timeouts: { boot: 60s, stall: 30s, total: 120s }\n`;
  await writeFile(configFile, config);
  const settings = parseConfig(config, configFile);
  const run = await bootKernels(
    settings,
    [
      { name: 'linux-6.1-a', path: kernels.X86_61_A as string },
      { name: 'linux-6.1-b', path: kernels.X86_61_B as string },
      { name: 'linux-6.12', path: kernels.X86_612 as string },
    ],
    { outDir, progress: log },
  );
  await writeFile(path.join(outDir, 'boots.json'), `${JSON.stringify(run, null, 2)}\n`);
  const ids = [...new Set(run.observations.flatMap((o) => o.tests.map((t) => t.id)))];
  const width = Math.max(...ids.map((id) => id.length), 4);
  process.stdout.write(
    `${'test'.padEnd(width)}  ${run.observations.map((o) => o.kernel).join('  ')}\n`,
  );
  for (const id of ids) {
    const cells = run.observations.map((o) =>
      (o.tests.find((t) => t.id === id)?.status ?? '-').padEnd(o.kernel.length),
    );
    process.stdout.write(`${id.padEnd(width)}  ${cells.join('  ')}\n`);
  }
  log(`observations and serial logs in ${outDir}`);
  return run.observations.every((o) => o.boot.outcome === 'completed' && o.boot.stage === 'done')
    ? EXIT.ok
    : EXIT.infrastructure;
}
