import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { DockerAccess } from './build/docker.js';
import { extractFiles } from './build/extract.js';
import { buildImage } from './build/image.js';
import { buildKernel } from './build/kernel.js';
import { loadConfig, parseConfig } from './config/load.js';
import type { Settings } from './config/settings.js';
import { EXIT } from './constants.js';
import { runDifferential } from './differential.js';
import { KernelFileError } from './qemu/kernel-image.js';
import type { ResolvedKernel } from './references/resolve.js';
import { type MatrixRow, renderMatrixMarkdown } from './report/matrix.js';
import { renderTerminal } from './report/terminal.js';
import type { DivergenceClass, Report } from './report/types.js';

/**
 * The repository root: the nearest directory above this module with a package.json (this file
 * runs from src/, bundled in dist/, and bundled into build/bench/).
 */
export const REPO_ROOT = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir)
    dir = path.dirname(dir);
  return dir;
})();

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

/** The fixture course: a teaching kernel, its shared harness and its student variants. */
export const COURSE_DIR = path.join(REPO_ROOT, 'fixtures', 'course');

/** `fixtures/course/variants.json`: what each variant is meant to come out as. */
export interface CourseTruth {
  references: string[];
  tests: string[];
  variants: Record<string, Partial<Record<DivergenceClass, string[]>>>;
}

export async function courseTruth(): Promise<CourseTruth> {
  return JSON.parse(await readFile(path.join(COURSE_DIR, 'variants.json'), 'utf8')) as CourseTruth;
}

/** The tests whose verdict differs from what the variant is meant to give, as `test: got X, meant Y`. */
export function unintended(report: Report, intended: CourseTruth['variants'][string]): string[] {
  const meant = new Map<string, string>();
  for (const [cls, tests] of Object.entries(intended))
    for (const test of tests ?? []) meant.set(test, cls);
  const seen = new Set(report.tests.map((t) => t.id));
  const wrong = report.tests
    .filter((t) => t.verdict.class !== (meant.get(t.id) ?? 'same'))
    .map((t) => `${t.id}: got ${t.verdict.class}, meant ${meant.get(t.id) ?? 'same'}`);
  for (const [test, cls] of meant)
    if (!seen.has(test)) wrong.push(`${test}: not in the report, meant ${cls}`);
  return wrong;
}

export interface CourseDemoOptions {
  docker: DockerAccess;
  log: (line: string) => void;
  /** Variants to judge (default: every variant in variants.json). */
  variants?: readonly string[];
  /** Boots at once. */
  jobs?: number;
}

export interface CourseDemoRow extends MatrixRow {
  unintended: string[];
}

/**
 * The embedded default: builds the harness and every kernel variant of the fixture course in
 * Docker, then judges each variant against the staff kernels, writing each report under
 * `outDir/<variant>/`. The first row is staff-alt against staff alone: two correct kernels must
 * not diverge.
 */
export async function runCourseDemo(
  outDir: string,
  options: CourseDemoOptions,
): Promise<CourseDemoRow[]> {
  const { docker, log } = options;
  const truth = await courseTruth();
  const base = await loadConfig(path.join(COURSE_DIR, 'diverge.yml'));
  const kernel = base.kernel;
  if (kernel?.build === undefined) throw new Error(`${base.configPath}: expected kernel.build`);
  const variants = options.variants ?? Object.keys(truth.variants);
  for (const variant of variants)
    if (!(variant in truth.variants))
      throw new KernelFileError(
        `no variant "${variant}" in the fixture course (variants: ${Object.keys(truth.variants).join(', ')})`,
      );

  log('building the shared harness (Docker target harness of fixtures/course/Dockerfile)');
  const client = await docker.client();
  const harnessImage = await buildImage(client, {
    recipe: { ...kernel.build, target: 'harness', args: {} },
    field: 'harness',
    role: 'harness',
    logFile: path.join(outDir, 'logs', 'build-harness.log'),
    progress: log,
  });
  const [harness] = await extractFiles(
    client,
    harnessImage.tag,
    [{ inImage: '/out/harness.bin', field: 'harness' }],
    path.join(outDir, 'harness'),
  );
  if (!harness) throw new Error('the harness image gave no /out/harness.bin');
  const settings: Settings = {
    ...base,
    harness: { ...base.harness, payload: { kind: 'initrd', path: harness.path } },
  };

  const built = new Map<string, ResolvedKernel>();
  for (const variant of [...truth.references, ...variants]) {
    log(`building kernel variant ${variant}`);
    const result = await buildKernel(docker, kernel, {
      variant,
      outDir: path.join(outDir, variant),
      progress: log,
    });
    built.set(variant, {
      name: variant,
      path: result.kernel.path,
      digest: result.kernel.digest,
      source: { build: { context: 'fixtures/course', variant }, image: result.image.tag },
    });
  }
  const as = (name: string, variant: string): ResolvedKernel => ({
    ...(built.get(variant) as ResolvedKernel),
    name,
  });

  const [first, ...others] = truth.references;
  const judged = [
    ...(first && others[0] ? [{ variant: others[0], references: [first] }] : []),
    ...variants.map((variant) => ({ variant, references: truth.references })),
  ];
  const rows: CourseDemoRow[] = [];
  for (const { variant, references } of judged) {
    log(`judging ${variant} against ${references.join(' and ')}`);
    const report = await runDifferential(
      settings,
      { candidate: as('candidate', variant), references: references.map((r) => as(r, r)) },
      {
        outDir: path.join(outDir, variant),
        variant,
        docker,
        progress: (line) => log(`${variant}: ${line}`),
        ...(options.jobs ? { jobs: options.jobs } : {}),
      },
    );
    const wrong = unintended(report, truth.variants[variant] ?? {});
    rows.push({ variant, report, unintended: wrong, note: wrong.length ? 'NO' : 'yes' });
  }
  await writeFile(
    path.join(outDir, 'summary.md'),
    `# diverge demo: the fixture course\n\nEach variant judged against ${truth.references.join(' and ')} (staff-alt against staff alone).\n\n${renderMatrixMarkdown(rows, 'as intended')}`,
  );
  return rows;
}

/**
 * The second fixture family: the Linux fixture harness (busybox + a static KTAP program) on real
 * Debian kernels fetched by set-up. The candidate is a 6.12 kernel, the references two 6.1
 * builds; the report shows what changed between them (cachestat and mseal arrived in between).
 */
export async function runLinuxDemo(outDir: string, log: (line: string) => void): Promise<number> {
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
