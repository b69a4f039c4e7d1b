/**
 * `diverge bisect`: the first commit between a good and a bad revision whose kernel diverges
 * from the references. Only wires stages: the commit range (bisect/history), the search
 * (bisect/search), each commit built in a worktree (build/worktree), booted with one prepared
 * harness (run/boots) and judged (run/candidate), read as good, bad or skipped (bisect/verdict),
 * and the answer written as bisect.json and bisect.md (bisect/model, bisect/render).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { type DivergenceClass, isDivergence } from '../model/classes.js';
import { loadExpectations } from '../compare/expectations.js';
import type { DockerAccess } from '../docker/docker.js';
import { BuildError } from '../docker/errors.js';
import { type BuiltKernel, variantOf } from '../docker/kernel.js';
import { buildCommitKernel, GitError, gitTop } from '../docker/worktree.js';
import type { Settings } from '../config/settings.js';
import { TOOL_NAME, TOOL_VERSION } from '../model/constants.js';
import type { RunContext } from '../context.js';
import { checkKernelFile, KernelFileError } from '../qemu/kernel-image.js';
import { defaultParallelism } from '../qemu/pool.js';
import { resolveReferences, type ResolvedKernel } from '../references/resolve.js';
import type { GitHub, GitHubRun } from '../github/client.js';
import type { ReportKernel } from '../model/report.js';
import { ObservationCache } from '../results/observation-cache.js';
import type { KernelObservation } from '../results/observe.js';
import { sha256File } from '../util/digest.js';
import { inParallel } from '../util/parallel.js';
import { commitRange, resolveRevision } from '../bisect/history.js';
import { plainBisectSteps, validateBisect } from '../bisect/model.js';
import { renderBisectMarkdown, stepLine } from '../bisect/render.js';
import { search } from '../bisect/search.js';
import { needsRecheck, readStep, type Selection, selects } from '../bisect/verdict.js';
import { prepareBoots } from './boots.js';
import { judgeRun, reportRun } from './candidate.js';
import {
  type StepVerdict,
  type BisectTest,
  BISECT_SCHEMA,
  type Commit,
  type BisectStep,
  type Bisect,
} from '../model/bisect.js';
import type { SavedRun } from './saved-run.js';

/** Bad input to a bisect (unknown revisions, no kernel.build, a good revision that is bad). */
export class BisectInputError extends Error {}

/** The name the good revision's kernel has as a reference. */
export const GOOD_REFERENCE = 'good';

export interface BisectOptions {
  good: string;
  bad: string;
  /** Test-id globs; empty: every test. */
  tests: readonly string[];
  /** Classes that make a commit bad; default the config's fail-on. */
  classes?: readonly DivergenceClass[];
  firstParent: boolean;
  /** Commits tested at once in a round; default the number of cores. */
  jobs?: number;
  /** Whether the good revision's kernel is one of the references (default true). */
  goodReference?: boolean;
  outDir: string;
  docker: DockerAccess;
  progress: (line: string) => void;
  /** For artifact and release references. */
  github?: GitHub;
  run?: GitHubRun;
}

interface Tested {
  step: BisectStep;
  role?: ReportKernel;
  observations: KernelObservation[];
}

const short = (sha: string) => sha.slice(0, 12);

/** Runs the bisect and writes DIR/bisect.json and bisect.md; the outcome says if it found one. */
export async function runBisect(
  context: RunContext,
  settings: Settings,
  options: BisectOptions,
): Promise<Bisect> {
  const startedAt = context.clock.now();
  const { progress, outDir, docker } = options;
  const kernel = settings.kernel;
  if (kernel?.build === undefined)
    throw new BisectInputError(
      `${settings.configPath}: kernel.build is not set: bisect builds each commit's kernel with it`,
    );
  const asInput = (error: unknown): never => {
    throw error instanceof GitError ? new BisectInputError(error.message) : error;
  };
  const top = await gitTop(kernel.build.context).catch(asInput);
  const good = await resolveRevision(top, options.good, '--good').catch(asInput);
  const bad = await resolveRevision(top, options.bad, '--bad').catch(asInput);
  const commits = await commitRange(top, good, bad, options).catch(asInput);
  const selection: Selection = {
    tests: [...options.tests],
    classes: [...(options.classes ?? settings.failOn)],
  };
  const slots = Math.max(1, options.jobs ?? availableParallelism());
  const variant = variantOf(settings, undefined);
  const expectations = await loadExpectations(settings.expectations);
  const today = context.clock.today();
  const scope = { variant, today };
  await mkdir(outDir, { recursive: true });
  const workDir = path.join(outDir, 'work');
  await mkdir(workDir, { recursive: true });
  progress(
    `bisecting ${commits.length} commit(s) from good ${short(good.sha)} to bad ${short(bad.sha)}${options.firstParent ? ' (first parents)' : ''}, ${slots} at a time`,
  );

  const build = (sha: string, dir: string): Promise<BuiltKernel> =>
    buildCommitKernel(docker, kernel, sha, {
      variant,
      workDir,
      outDir: dir,
      progress: (line) => progress(`${short(sha)}: ${line}`),
      contextCache: context.cache.contexts,
      clock: context.clock,
    });

  // The references, observed once: the config's (a base reference means a pull request's
  // base; here the good revision plays that part) and the good revision's kernel.
  const configured = await resolveReferences(
    { ...settings, references: settings.references.filter((r) => r.source.kind !== 'base') },
    undefined,
    {
      docker,
      variant,
      outDir,
      progress,
      cache: context.cache,
      clock: context.clock,
      waits: context.waits,
      ...(options.github ? { github: options.github } : {}),
      ...(options.run ? { run: options.run } : {}),
    },
  );
  const references: ResolvedKernel[] = [...configured];
  if (options.goodReference !== false) {
    progress(`building the good revision ${short(good.sha)} (reference "${GOOD_REFERENCE}")`);
    const built = await build(good.sha, path.join(outDir, 'steps', 'good')).catch(
      (error: unknown) => {
        if (error instanceof BuildError)
          throw new BisectInputError(`--good ${short(good.sha)} does not build: ${error.message}`);
        throw error;
      },
    );
    references.push({
      name: GOOD_REFERENCE,
      path: built.kernel.path,
      digest: built.kernel.digest,
      source: { commit: good.sha, image: built.image.tag },
    });
  }
  if (references.length === 0)
    throw new BisectInputError(
      `${settings.configPath}: no references: add references to the config or keep the good revision's kernel as one`,
    );
  const referenceRoles: ReportKernel[] = await Promise.all(
    references.map(async (r) => ({
      name: r.name,
      source: r.source,
      digest: r.digest ?? (await sha256File(r.path)),
    })),
  );
  // The commits of a round boot side by side: each gets its share of the boot slots.
  const bootJobs = Math.max(
    1,
    Math.floor(defaultParallelism(settings.machine.memoryMiB, settings.machine.cpus) / slots),
  );
  const booter = await prepareBoots(context, settings, references, {
    outDir,
    docker,
    progress,
    jobs: bootJobs,
    cached: {
      cache: new ObservationCache(context.cache.observations, context.buildId, progress),
      digests: new Map(references.flatMap((r) => (r.digest ? [[r.name, r.digest]] : []))),
    },
  });
  const { repeat, rerunDivergent } = settings.harness;
  const referenceObservations = await booter.boot(references, repeat, 1);

  if (options.goodReference !== false && configured.length > 0) {
    const judgement = judgeRun(
      settings,
      {
        candidate: referenceRoles.at(-1) as ReportKernel,
        references: referenceRoles.slice(0, -1),
      },
      referenceObservations,
      expectations,
      scope,
    );
    const reading = readStep(judgement.tests, selection);
    if (reading.verdict === 'bad')
      throw new BisectInputError(
        `--good ${short(good.sha)} already diverges from ${configured.map((r) => r.name).join(', ')}: ${reading.diverging.slice(0, 10).join(', ')}`,
      );
  }

  const tested = new Map<number, Tested>();
  let round = 0;
  const testCommit = async (index: number): Promise<StepVerdict> => {
    const commit = commits[index] as Commit;
    const started = context.clock.now();
    const name = short(commit.sha);
    const stepDir = path.join(outDir, 'steps', name);
    const base = { sha: commit.sha, subject: commit.subject, round, flaky: [], diverging: [] };
    const finish = (result: Tested): StepVerdict => {
      result.step.durationMs = context.clock.now() - started;
      tested.set(index, result);
      progress(stepLine(result.step));
      return result.step.verdict;
    };
    let built: BuiltKernel;
    try {
      built = await build(commit.sha, stepDir);
      await checkKernelFile(name, built.kernel.path, settings.machine.arch);
    } catch (error) {
      if (!(error instanceof BuildError || error instanceof KernelFileError)) throw error;
      const reason = `does not build: ${error.message.split('\n')[0]?.slice(0, 300)}`;
      const step = { ...base, verdict: 'skip', build: 'skipped', boots: 0, reason, durationMs: 0 };
      return finish({ step: step as BisectStep, observations: [] });
    }
    const role: ReportKernel = {
      name,
      source: { commit: commit.sha, image: built.image.tag },
      digest: built.kernel.digest,
    };
    const roles = { candidate: role, references: referenceRoles };
    const candidate = { name, path: built.kernel.path };
    let observations = await booter.boot([candidate], repeat, 1);
    const read = () =>
      readStep(
        judgeRun(settings, roles, [...referenceObservations, ...observations], expectations, scope)
          .tests,
        selection,
      );
    let reading = read();
    if (needsRecheck(reading)) {
      const again = Math.max(1, rerunDivergent);
      progress(
        `${name}: ${reading.verdict === 'bad' ? 'diverges' : 'flaky'}; booting it ${again} more time(s) before trusting it`,
      );
      observations = [...observations, ...(await booter.boot([candidate], again, repeat + 1))];
      reading = read();
    }
    await mkdir(stepDir, { recursive: true });
    const saved: SavedRun = {
      host: booter.host,
      harness: booter.harness,
      observations: [...referenceObservations, ...observations],
      roles,
      startedAt: new Date(started).toISOString(),
    };
    await reportRun(
      settings,
      saved,
      expectations,
      { outDir: stepDir, variant, today, progress: () => undefined },
      context.clock.now() - started,
    );
    const step: BisectStep = {
      ...base,
      verdict: reading.verdict,
      build: built.image.cached ? 'reused' : 'built',
      boots: observations.length,
      flaky: reading.flaky,
      diverging: reading.diverging,
      ...(reading.reason ? { reason: reading.reason } : {}),
      durationMs: 0,
      report: path.relative(outDir, path.join(stepDir, 'report.json')),
    };
    return finish({ step, role, observations });
  };

  const result = await search(commits.length, slots, (indices) => {
    round++;
    progress(
      `round ${round}: testing ${indices.map((i) => short(commits[i]?.sha ?? '')).join(' ')}`,
    );
    return inParallel(indices, slots, testCommit);
  });

  const culprit = result.culprit === undefined ? undefined : commits[result.culprit];
  const tests =
    result.culprit === undefined || result.undecided.length > 0
      ? culpritTests(tested.get(result.culprit ?? -1), undefined)
      : culpritTests(
          tested.get(result.culprit),
          result.culprit === 0
            ? options.goodReference !== false
              ? {
                  role: referenceRoles.at(-1) as ReportKernel,
                  observations: referenceObservations.filter((o) => o.kernel === GOOD_REFERENCE),
                }
              : undefined
            : tested.get(result.culprit - 1),
        );
  const steps = [...tested.entries()]
    .sort(
      ([a], [b]) => (tested.get(a)?.step.round ?? 0) - (tested.get(b)?.step.round ?? 0) || a - b,
    )
    .map(([, t]) => t.step);
  const bisect: Bisect = {
    schema: BISECT_SCHEMA,
    run: {
      startedAt: new Date(startedAt).toISOString(),
      durationMs: context.clock.now() - startedAt,
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
      host: { qemu: booter.host.qemu, accel: booter.host.accel, cpus: booter.host.cpus },
    },
    outcome:
      result.badRevision === undefined
        ? 'culprit'
        : result.badRevision === 'good'
          ? 'bad-revision-good'
          : 'bad-revision-skipped',
    good,
    bad,
    range: { commits: commits.length, firstParent: options.firstParent },
    selection: { tests: [...selection.tests], classes: [...selection.classes] },
    references: references.map((r) => r.name),
    culprit: culprit ?? null,
    undecided: result.undecided.map((i) => commits[i] as Commit),
    tests,
    steps,
    skipped: [...tested.entries()]
      .filter(([, t]) => t.step.verdict === 'skip')
      .sort(([a], [b]) => a - b)
      .map(([i]) => commits[i] as Commit),
    rounds: result.rounds,
    slots,
    builds: {
      built: steps.filter((s) => s.build === 'built').length,
      reused: steps.filter((s) => s.build === 'reused').length,
      skipped: steps.filter((s) => s.build === 'skipped').length,
    },
    plainSteps: plainBisectSteps(commits.length),
  };
  validateBisect(bisect, path.join(outDir, 'bisect.json'));
  await writeFile(path.join(outDir, 'bisect.json'), `${JSON.stringify(bisect, null, 2)}\n`);
  await writeFile(path.join(outDir, 'bisect.md'), renderBisectMarkdown(bisect));
  return bisect;

  /**
   * The selected tests that diverge at the culprit: judged against its parent alone when the
   * parent is known good, so each diff is what the commit changed; else against the references.
   */
  function culpritTests(
    at: Tested | undefined,
    parent: { role?: ReportKernel; observations: KernelObservation[] } | undefined,
  ): BisectTest[] {
    if (!at?.role) return [];
    const against = parent?.role
      ? { references: [parent.role], observations: parent.observations }
      : { references: referenceRoles, observations: referenceObservations };
    const judgement = judgeRun(
      settings,
      { candidate: at.role, references: against.references },
      [...against.observations, ...at.observations],
      expectations,
      scope,
    );
    return judgement.tests
      .filter((t) => selects(selection, t.id) && isDivergence(t.verdict))
      .map((t) => ({
        id: t.id,
        class: t.verdict.class,
        ...(t.verdict.diff ? { diff: t.verdict.diff } : {}),
      }));
  }
}
