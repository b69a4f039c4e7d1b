/**
 * `diverge bisect`: the first commit between a good and a bad revision whose kernel diverges
 * from the references. Only wires stages: the commit range (bisect/history), the search
 * (bisect/search), each commit built in a worktree and evaluated by one judging session
 * (bisect/commit, session/), and the answer written as bisect.json and bisect.md
 * (bisect/result).
 */
import { availableParallelism } from 'node:os';
import type { Settings } from '../config/settings.js';
import type { RunContext } from '../context.js';
import type { DockerAccess } from '../docker/docker.js';
import { variantOf } from '../docker/kernel.js';
import type { GitHub, GitHubRun } from '../github/client.js';
import type { Bisect } from '../model/bisect.js';
import type { DivergenceClass } from '../model/classes.js';
import {
  bisectReferences,
  bootShare,
  checkGoodRevision,
  commitBuilder,
  type EvaluateCommit,
  searchCommits,
  testCommit,
} from '../bisect/commit.js';
import { bisectRange } from '../bisect/history.js';
import { short } from '../bisect/render.js';
import { bisectOf, writeBisect } from '../bisect/result.js';
import { checkSelection, confirmation } from '../bisect/verdict.js';
import { testIdsOf } from '../results/observe.js';
import type { KernelInput } from '../session/boots.js';
import { fetchReferences, openSession } from '../session/session.js';

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
  /** `--reference` kernels (files, or directories built) instead of the config's references. */
  references?: readonly KernelInput[];
  outDir: string;
  docker: DockerAccess;
  progress: (line: string) => void;
  /** For artifact and release references. */
  github?: GitHub;
  run?: GitHubRun;
}

/** Runs the bisect and writes DIR/bisect.json and bisect.md; the outcome says if it found one. */
export async function runBisect(
  context: RunContext,
  settings: Settings,
  options: BisectOptions,
): Promise<Bisect> {
  const startedAt = context.clock.now();
  const { progress, outDir, docker } = options;
  const { kernel, good, bad, commits } = await bisectRange(settings, options);
  const selection = {
    tests: [...options.tests],
    classes: [...(options.classes ?? settings.failOn)],
  };
  const slots = Math.max(1, options.jobs ?? availableParallelism());
  const variant = variantOf(settings, undefined);
  progress(
    `bisecting ${commits.length} commit(s) from good ${short(good.sha)} to bad ${short(bad.sha)}${options.firstParent ? ' (first parents)' : ''}, ${slots} at a time`,
  );
  const build = await commitBuilder(context, docker, kernel, { variant, outDir, progress });

  // The references, observed once: the config's (a base reference means a pull request's
  // base; here the good revision plays that part) and the good revision's kernel.
  const configured = await fetchReferences(
    context,
    { ...settings, references: settings.references.filter((r) => r.source.kind !== 'base') },
    { docker, variant, outDir, progress, github: options.github, run: options.run },
    options.references,
  );
  const goodIsReference = options.goodReference !== false;
  const references = await bisectReferences(configured, goodIsReference ? good : undefined, {
    build,
    outDir,
    configPath: settings.configPath,
    progress,
  });
  const session = await openSession(context, settings, references, {
    outDir,
    docker,
    variant,
    jobs: bootShare(settings.machine, slots),
    progress,
    preboot: 'repeat',
  });
  // The --test globs, against the tests the references reported (inputs.ts checked them before
  // --out was taken only when the harness lists its tests): a typo is not "nothing to blame".
  // A test only later commits report (class `new`) is known once they boot: readStep checks.
  if (!selection.classes.includes('new'))
    checkSelection(selection, testIdsOf(session.observations));
  if (goodIsReference && configured.length > 0) checkGoodRevision(session, selection, good);

  const recheck = confirmation(selection);
  const evaluate: EvaluateCommit = (candidate, dir, started) =>
    session.evaluate(candidate, {
      outDir: dir,
      bootDir: outDir,
      saveBoots: false,
      recheck,
      startedAt: started,
      progress: (line) => progress(`${candidate.name}: ${line}`),
    });
  const { machine } = settings;
  const now = () => context.clock.now();
  const searched = await searchCommits(commits, slots, progress, (commit, round) =>
    testCommit(commit, round, { build, evaluate, machine, selection, outDir, now }),
  );
  const bisect = bisectOf(
    {
      startedAt,
      durationMs: now() - startedAt,
      good,
      bad,
      commits,
      firstParent: options.firstParent,
      selection,
      slots,
      ...searched,
    },
    session,
    goodIsReference ? session.references.at(-1) : undefined,
  );
  await writeBisect(outDir, bisect);
  return bisect;
}
