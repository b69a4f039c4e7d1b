/**
 * The check run of one leg: created in progress when the run starts, completed with the
 * conclusion, the report as its summary and one annotation per divergence, placed on the line of
 * the harness source that defines the test when it can be found (else on the config file).
 * GitHub takes at most 50 annotations a request, so they go in batches.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../context.js';
import { singleLine } from '../render/escape.js';
import { isDivergence, SEVERITIES, SEVERITY_ORDER } from '../model/classes.js';
import type { Report, ReportTest } from '../model/report.js';
import type { GitHub } from './client.js';

export const ANNOTATIONS_PER_REQUEST = 50;
/** Annotations beyond this are left out (the summary still lists every divergence). */
export const MAX_ANNOTATIONS = 500;
/** GitHub's limit on a check run's summary, in characters. */
export const SUMMARY_LIMIT = 65_535;

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  title: string;
  message: string;
}

const SKIP_DIRS = new Set(['.git', 'node_modules', 'dist', 'out', 'build', '.cache', '.tools']);
const MAX_FILES = 5_000;
const MAX_FILE_BYTES = 1024 * 1024;

/**
 * Where each test is defined: the first line of a source file under `roots` that names it (the
 * last dotted part of a KTAP id, as a whole word). Paths are relative to `repoRoot`.
 */
export async function locateTests(
  ids: readonly string[],
  roots: readonly string[],
  repoRoot: string,
): Promise<Map<string, { path: string; line: number }>> {
  const wanted = new Map(ids.map((id) => [id, id.split('.').pop() ?? id]));
  const found = new Map<string, { path: string; line: number }>();
  let files = 0;
  const visit = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (found.size === wanted.size || files >= MAX_FILES) return;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name)) await visit(full);
        continue;
      }
      if (!entry.isFile()) continue;
      files++;
      const info = await stat(full);
      if (info.size > MAX_FILE_BYTES) continue;
      const text = await readFile(full, 'utf8');
      if (text.includes('\0')) continue; // binary
      const lines = text.split('\n');
      for (const [id, word] of wanted) {
        if (found.has(id) || !text.includes(word)) continue;
        const pattern = new RegExp(
          `(^|[^\\w])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w])`,
        );
        const index = lines.findIndex((line) => pattern.test(line));
        if (index >= 0)
          found.set(id, {
            path: path.relative(repoRoot, full).split(path.sep).join('/'),
            line: index + 1,
          });
      }
    }
  };
  for (const root of roots) await visit(root);
  return found;
}

/** One annotation per divergent test, most severe first, capped at MAX_ANNOTATIONS. */
export function annotationsFor(
  report: Report,
  located: ReadonlyMap<string, { path: string; line: number }>,
  fallbackPath: string,
): Annotation[] {
  const divergent = report.tests.filter((t: ReportTest) => isDivergence(t.verdict));
  const rank = (test: ReportTest) => SEVERITY_ORDER.indexOf(test.verdict.severity);
  divergent.sort((a, b) => rank(a) - rank(b));
  return divergent.slice(0, MAX_ANNOTATIONS).map((test) => {
    const where = located.get(test.id) ?? { path: fallbackPath, line: 1 };
    const reason = singleLine(test.verdict.reason ?? test.verdict.class);
    const diff = test.verdict.diff ? `\n\n${test.verdict.diff.slice(0, 2000)}` : '';
    return {
      path: where.path,
      start_line: where.line,
      end_line: where.line,
      annotation_level: SEVERITIES[test.verdict.severity].annotation,
      title: singleLine(`${test.verdict.class}: ${test.id}`).slice(0, 255),
      message: `${reason}${diff}`.slice(0, 60_000),
    };
  });
}

export interface CheckTarget {
  owner: string;
  repo: string;
  headSha: string;
  name: string;
  detailsUrl?: string;
}

/** Creates the check run in progress, started now by `clock`; its id and its page. */
export async function startCheckRun(
  github: GitHub,
  target: CheckTarget,
  clock: Clock,
): Promise<{ id: number; url: string }> {
  const { data } = await github.rest.checks.create({
    owner: target.owner,
    repo: target.repo,
    name: target.name,
    head_sha: target.headSha,
    status: 'in_progress',
    started_at: new Date(clock.now()).toISOString(),
    ...(target.detailsUrl ? { details_url: target.detailsUrl } : {}),
    output: { title: 'Booting kernels', summary: 'diverge is building and booting the kernels.' },
  });
  return { id: data.id, url: data.html_url ?? '' };
}

/**
 * Completes the check run, now by `clock`: the first request carries the conclusion, title,
 * summary and the first 50 annotations; later requests add 50 more each (GitHub appends them).
 */
export async function completeCheckRun(
  github: GitHub,
  target: CheckTarget & { checkRunId: number },
  result: {
    conclusion: 'success' | 'failure' | 'neutral' | 'cancelled';
    title: string;
    summary: string;
    annotations: readonly Annotation[];
  },
  clock: Clock,
): Promise<void> {
  const batches: Annotation[][] = [];
  for (let i = 0; i < result.annotations.length; i += ANNOTATIONS_PER_REQUEST)
    batches.push(result.annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  const output = {
    title: result.title.slice(0, 255),
    summary: result.summary.slice(0, SUMMARY_LIMIT),
  };
  const [first = [], ...rest] = batches;
  await github.rest.checks.update({
    owner: target.owner,
    repo: target.repo,
    check_run_id: target.checkRunId,
    status: 'completed',
    conclusion: result.conclusion,
    completed_at: new Date(clock.now()).toISOString(),
    output: { ...output, annotations: first },
  });
  for (const batch of rest)
    await github.rest.checks.update({
      owner: target.owner,
      repo: target.repo,
      check_run_id: target.checkRunId,
      output: { ...output, annotations: batch },
    });
}
