/**
 * `diverge demo`: the embedded default (the fixture course built in Docker, every student
 * variant judged against the staff kernels) and the Linux demo. Only wires stages.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DockerAccess } from '../docker/docker.js';
import { extractFiles } from '../docker/extract.js';
import { buildImage } from '../docker/image.js';
import { buildKernel } from '../docker/kernel.js';
import { loadConfig, parseConfig } from '../config/load.js';
import type { Settings } from '../config/settings.js';
import { EXIT } from '../model/constants.js';
import type { RunContext } from '../context.js';
import { KernelFileError } from '../qemu/kernel-image.js';
import type { ResolvedKernel } from '../references/resolve.js';
import { isShownDivergence } from '../model/classes.js';
import { type GradebookRow, relativeHref, renderGradebookHtml } from '../render/gradebook-html.js';
import { type MatrixRow, renderMatrixMarkdown } from '../render/matrix.js';
import { renderTerminal } from '../render/terminal.js';
import { evaluateOne } from '../session/session.js';
import {
  buildLinuxHarness,
  COURSE_DIR,
  courseTruth,
  type CourseTruth,
  fixtureKernels,
  unintended,
} from './fixtures.js';

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
 * The course's shared harness (Docker target `harness` of fixtures/course/Dockerfile), taken out
 * of its image into `outDir/harness/harness.bin`; returns that path.
 */
export async function buildCourseHarness(
  context: RunContext,
  docker: DockerAccess,
  outDir: string,
  log: (line: string) => void,
): Promise<string> {
  const kernel = (await loadConfig(path.join(COURSE_DIR, 'diverge.yml'))).kernel;
  if (kernel?.build === undefined)
    throw new Error(`${COURSE_DIR}/diverge.yml: expected kernel.build`);
  log('building the shared harness (Docker target harness of fixtures/course/Dockerfile)');
  const client = await docker.client();
  const harnessImage = await buildImage(client, {
    recipe: { ...kernel.build, target: 'harness', args: {} },
    field: 'harness',
    role: 'harness',
    logFile: path.join(outDir, 'logs', 'build-harness.log'),
    progress: log,
    contextCache: context.cache.contexts,
    clock: context.clock,
  });
  const [harness] = await extractFiles(
    client,
    harnessImage.tag,
    [{ inImage: '/out/harness.bin', field: 'harness' }],
    path.join(outDir, 'harness'),
  );
  if (!harness) throw new Error('the harness image gave no /out/harness.bin');
  return harness.path;
}

/** The names `diverge demo --variant` takes: staff-alt (the first row) and every student variant. */
export const demoVariants = (truth: CourseTruth): string[] => [
  ...truth.references.slice(1),
  ...Object.keys(truth.variants),
];

/** Refuses a --variant the fixture course does not have, naming those it has. */
export function checkDemoVariants(truth: CourseTruth, variants: readonly string[]): void {
  const known = demoVariants(truth);
  for (const variant of variants)
    if (!known.includes(variant))
      throw new KernelFileError(
        `no variant "${variant}" in the fixture course (variants: ${known.join(', ')})`,
      );
}

/**
 * The embedded default: builds the harness and every kernel variant of the fixture course in
 * Docker, then judges each variant against the staff kernels, writing each report under
 * `outDir/<variant>/`. The first row is staff-alt against staff alone: two correct kernels must
 * not diverge.
 */
export async function runCourseDemo(
  context: RunContext,
  outDir: string,
  options: CourseDemoOptions,
): Promise<CourseDemoRow[]> {
  const { docker, log } = options;
  const truth = await courseTruth();
  const base = await loadConfig(path.join(COURSE_DIR, 'diverge.yml'));
  const kernel = base.kernel;
  if (kernel?.build === undefined) throw new Error(`${base.configPath}: expected kernel.build`);
  checkDemoVariants(truth, options.variants ?? []);
  // staff-alt (the second staff kernel) is judged against staff alone in the first row, always.
  const variants = (options.variants ?? Object.keys(truth.variants)).filter(
    (v) => !truth.references.includes(v),
  );

  const harness = await buildCourseHarness(context, docker, outDir, log);
  const settings: Settings = {
    ...base,
    harness: { ...base.harness, payload: { kind: 'initrd', path: harness } },
  };

  const built = new Map<string, ResolvedKernel>();
  for (const variant of [...truth.references, ...variants]) {
    log(`building kernel variant ${variant}`);
    const result = await buildKernel(docker, kernel, {
      variant,
      outDir: path.join(outDir, variant),
      progress: log,
      contextCache: context.cache.contexts,
      clock: context.clock,
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
    const { report } = await evaluateOne(
      context,
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
    path.join(outDir, 'overview.html'),
    renderGradebookHtml(demoGradebook(rows), {
      title: 'diverge demo: the fixture course',
      noun: 'variant',
      reportHref: (variant) => relativeHref(variant.name, 'report.html'),
    }),
  );
  await writeFile(
    path.join(outDir, 'summary.md'),
    `# diverge demo: the fixture course\n\nEach variant judged against ${truth.references.join(' and ')} (staff-alt against staff alone).\n\n${renderMatrixMarkdown(rows, 'as intended')}`,
  );
  return rows;
}

/**
 * The demo's variants as gradebook rows, so that one page shows both: a variant's score is the
 * number of its tests that do not diverge; its boot is how the candidate's first boot ended.
 */
export function demoGradebook(rows: readonly MatrixRow[]): { students: GradebookRow[] } {
  return {
    students: rows.map(({ variant, report }) => {
      const first = report.boots.find((b) => b.kernel === report.candidate.name);
      return {
        name: variant,
        score: report.tests.filter((t) => !isShownDivergence(t.verdict)).length,
        max: report.tests.length,
        conclusion: report.summary.conclusion,
        tests: Object.fromEntries(report.tests.map((t) => [t.id, t.verdict.class])),
        build: { outcome: 'built' },
        boot: first
          ? {
              outcome: first.outcome,
              stage: first.stage,
              ...(first.message ? { message: first.message } : {}),
            }
          : { outcome: 'not-booted' },
        report: `${variant}/report.json`,
      };
    }),
  };
}

/**
 * The second fixture family: the Linux fixture harness (busybox + a static KTAP program) on real
 * Debian kernels fetched by set-up. The candidate is a 6.12 kernel, the references two 6.1
 * builds; the report shows what changed between them (cachestat and mseal arrived in between).
 */
export async function runLinuxDemo(
  context: RunContext,
  outDir: string,
  log: (line: string) => void,
  /** Whether stdout takes colours (the entry's decision: NO_COLOR, FORCE_COLOR, a terminal). */
  color: boolean,
): Promise<number> {
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
  const { report } = await evaluateOne(
    context,
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
  process.stdout.write(renderTerminal(report, { color }));
  log(
    `report: ${path.join(outDir, 'report.html')}, report.json and report.md; serial logs in ${path.join(outDir, 'logs')}`,
  );
  log('the divergences above are real: Linux 6.12 behaves differently from 6.1 in those tests');
  return report.summary.conclusion === 'neutral' ? EXIT.infrastructure : EXIT.ok;
}
