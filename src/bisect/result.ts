/** The answer of a bisect: bisect.json (schema diverge.bisect/v1) and bisect.md. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isDivergence } from '../model/classes.js';
import { TOOL_NAME, TOOL_VERSION } from '../model/constants.js';
import { BISECT_SCHEMA, type Bisect, type BisectTest, type Commit } from '../model/bisect.js';
import type { ReportKernel } from '../model/report.js';
import type { KernelObservation } from '../results/observe.js';
import type { Judge, Tested } from './commit.js';
import { plainBisectSteps, validateBisect } from './model.js';
import { renderBisectMarkdown } from './render.js';
import type { SearchRun } from './search.js';
import { type Selection, selects } from './verdict.js';

/** What a bisect searched and found. */
export interface BisectRun {
  startedAt: number;
  durationMs: number;
  good: Commit;
  bad: Commit;
  commits: readonly Commit[];
  firstParent: boolean;
  selection: Selection;
  slots: number;
  result: SearchRun;
  /** By index into `commits`. */
  tested: ReadonlyMap<number, Tested>;
}

/** What the commits were judged against: the judging session's references and their boots. */
export interface Judged {
  references: readonly ReportKernel[];
  observations: readonly KernelObservation[];
  host: Bisect['run']['host'];
  judge: Judge;
}

/**
 * The selected tests that diverge at the culprit: judged against its parent alone when the
 * parent is known good, so each diff is what the commit changed; else against the references.
 */
function culpritTests(run: BisectRun, judged: Judged, good?: ReportKernel): BisectTest[] {
  const { culprit, undecided } = run.result;
  const at = run.tested.get(culprit ?? -1);
  if (culprit === undefined || !at?.role) return [];
  const parent: Pick<Tested, 'role' | 'observations'> | undefined =
    undecided.length > 0
      ? undefined
      : culprit > 0
        ? run.tested.get(culprit - 1)
        : good && {
            role: good,
            observations: judged.observations.filter((o) => o.kernel === good.name),
          };
  const against = parent?.role
    ? { references: [parent.role], observations: parent.observations }
    : { references: [...judged.references], observations: judged.observations };
  const judgement = judged.judge({ candidate: at.role, references: against.references }, [
    ...against.observations,
    ...at.observations,
  ]);
  return judgement.tests
    .filter((t) => selects(run.selection, t.id) && isDivergence(t.verdict))
    .map((t) => ({
      id: t.id,
      class: t.verdict.class,
      ...(t.verdict.diff ? { diff: t.verdict.diff } : {}),
    }));
}

/** bisect.json; `good` is the good revision's kernel when it is one of the references. */
export function bisectOf(run: BisectRun, judged: Judged, good?: ReportKernel): Bisect {
  const { result, commits, tested } = run;
  const steps = [...tested.entries()]
    .sort(([a, x], [b, y]) => x.step.round - y.step.round || a - b)
    .map(([, t]) => t.step);
  return {
    schema: BISECT_SCHEMA,
    run: {
      startedAt: new Date(run.startedAt).toISOString(),
      durationMs: run.durationMs,
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
      host: { qemu: judged.host.qemu, accel: judged.host.accel, cpus: judged.host.cpus },
    },
    outcome:
      result.badRevision === undefined
        ? 'culprit'
        : result.badRevision === 'good'
          ? 'bad-revision-good'
          : 'bad-revision-skipped',
    good: run.good,
    bad: run.bad,
    range: { commits: commits.length, firstParent: run.firstParent },
    selection: { tests: [...run.selection.tests], classes: [...run.selection.classes] },
    references: judged.references.map((r) => r.name),
    culprit: result.culprit === undefined ? null : (commits[result.culprit] ?? null),
    undecided: result.undecided.map((i) => commits[i] as Commit),
    tests: culpritTests(run, judged, good),
    steps,
    skipped: [...tested.entries()]
      .filter(([, t]) => t.step.verdict === 'skip')
      .sort(([a], [b]) => a - b)
      .map(([i]) => commits[i] as Commit),
    rounds: result.rounds,
    slots: run.slots,
    builds: {
      built: steps.filter((s) => s.build === 'built').length,
      reused: steps.filter((s) => s.build === 'reused').length,
      skipped: steps.filter((s) => s.build === 'skipped').length,
    },
    plainSteps: plainBisectSteps(commits.length),
  };
}

/** Writes DIR/bisect.json (checked against the schema first) and bisect.md. */
export async function writeBisect(outDir: string, bisect: Bisect): Promise<void> {
  validateBisect(bisect, path.join(outDir, 'bisect.json'));
  await writeFile(path.join(outDir, 'bisect.json'), `${JSON.stringify(bisect, null, 2)}\n`);
  await writeFile(path.join(outDir, 'bisect.md'), renderBisectMarkdown(bisect));
}
