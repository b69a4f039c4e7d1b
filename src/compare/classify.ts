/**
 * Where a test's divergence class is decided: the candidate's runs against the oracle made of
 * the reference runs. Pure; the classes themselves (meaning, severity, fail-on default) are the
 * table in classes.ts.
 */
import type { Blame, DivergenceClass } from '../model/classes.js';
import { failCount, isObserved, type ObservedRun, type RunView, signature } from './runs.js';

export interface Classification {
  class: DivergenceClass;
  blame: Blame;
  confidence: number;
  agreeing: string[];
  reason: string;
  counts: Record<string, string>;
  /** The reference and run the candidate is compared with, for the diff. */
  consensus?: { reference: string; run: ObservedRun };
  /** Working references whose own runs of the test differ (in signature): they vary on it. */
  varying?: string[];
}

const FAILING = new Set(['fail', 'error']);

/** A status change between references and candidate, as a class. */
function statusChange(reference: string, candidate: string): DivergenceClass {
  if (reference === 'pass') return 'regression';
  if (candidate === 'pass') return 'fix';
  if (reference === 'skip' && FAILING.has(candidate)) return 'regression';
  return 'output'; // fail ↔ error, failing ↔ skip: nothing passes on either side
}

const RUN_WORDS: Record<string, string> = {
  pass: 'passes',
  fail: 'fails',
  skip: 'is skipped',
  error: 'errors',
  crashed: 'crashes before it',
  hung: 'hangs before it',
  absent: 'does not report it',
  infra: 'could not be booted or checked',
};

/** "passes (2/3 runs), fails (1/3 runs)". */
function describeRuns(runs: readonly RunView[]): string {
  const counts = new Map<string, number>();
  for (const run of runs) {
    const key = run.kind === 'observed' ? run.status : run.kind;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .map(([key, n]) => `${RUN_WORDS[key] ?? key} (${n}/${runs.length} runs)`)
    .join(', ');
}

const list = (names: readonly string[]) => names.join(', ');

/**
 * Classifies one test. `references` holds only working references; each has at least one run,
 * observed or not. Returns undefined when nobody observed the test (nothing to judge).
 *
 * Runs are compared by signature (status, and normalised output when compared). A reference
 * varies on the test when its own reported runs have more than one signature. The candidate's
 * runs (docs/report.md, "Runs that disagree"):
 * 1. every one a signature every reference showed → same, however many distinct ones;
 * 2. one signature → judged as one run (ambiguous, or a divergence against the consensus);
 * 3. several, each shown by some reference → ambiguous;
 * 4. several, some shown by no reference → flaky; unless a reference varies, no run was shown
 *    by any reference and each run judged alone gets one class: that class.
 */
export function classify(
  candidate: readonly RunView[],
  references: ReadonlyMap<string, readonly RunView[]>,
  compareOutput: boolean,
): Classification | undefined {
  const counts: Record<string, string> = { candidate: failCount(candidate) };
  for (const [name, runs] of references) counts[name] = failCount(runs);
  const refObserved = [...references].map(([name, runs]) => ({
    name,
    runs: runs.filter(isObserved),
  }));
  const allRefRuns = refObserved.flatMap(({ name, runs }) => runs.map((run) => ({ name, run })));
  const candidateRuns = candidate.filter((r) => r.kind !== 'infra');
  const base = { counts, blame: 'kernel' as Blame };

  if (allRefRuns.length === 0) {
    if (!candidate.some(isObserved)) return undefined;
    const died = [...references].filter(([, runs]) =>
      runs.some((r) => r.kind === 'crashed' || r.kind === 'hung'),
    );
    // A reference whose QEMU failed (killed, refused) says nothing of the test: no verdict on
    // the candidate can rest on its silence.
    const failed = [...references].filter(([, runs]) => runs.some((r) => r.kind === 'infra'));
    if (failed.length > 0 && died.length === 0) {
      const why = failed
        .map(([name, runs]) => {
          const run = runs.find((r) => r.kind === 'infra');
          if (run && run.kind === 'infra' && run.unchecked !== undefined)
            return `the checker of ${name}'s run (${run.unchecked})`;
          const message = run && run.kind === 'infra' ? run.boot.message : undefined;
          return `the boot of ${name}${message ? ` (${message})` : ''}`;
        })
        .join('; ');
      return {
        ...base,
        class: 'ambiguous',
        blame: 'infrastructure',
        confidence: 0,
        agreeing: [],
        reason: `no reference finished this test: the host failed ${why}; the candidate ${describeRuns(candidate)}`,
      };
    }
    if (died.length > 0) {
      return {
        ...base,
        class: 'ambiguous',
        blame: 'reference',
        confidence: 0,
        agreeing: [],
        reason: `no reference finished this test: ${list(died.map(([n]) => n))} died before it; the candidate ${describeRuns(candidate)}`,
      };
    }
    return {
      ...base,
      class: 'new',
      confidence: 1,
      agreeing: [],
      reason: `no reference reports this test; the candidate ${describeRuns(candidate)}`,
    };
  }

  // The consensus: the most common reference observation; ties go to the first reference.
  const tally = new Map<string, { n: number; reference: string; run: ObservedRun }>();
  for (const { name, run } of allRefRuns) {
    const sig = signature(run, compareOutput);
    const entry = tally.get(sig) ?? { n: 0, reference: name, run };
    entry.n += 1;
    tally.set(sig, entry);
  }
  const [consensusSig, consensus] = [...tally].reduce((best, next) =>
    next[1].n > best[1].n ? next : best,
  );
  const confidence = consensus.n / allRefRuns.length;
  const agreeing = refObserved
    .filter(({ runs }) => runs.some((r) => signature(r, compareOutput) === consensusSig))
    .map((r) => r.name);
  const withConsensus = {
    ...base,
    confidence,
    agreeing,
    consensus: { reference: consensus.reference, run: consensus.run },
  };

  // What each reference showed: the distinct signatures of its runs that reported the test.
  const outcomes = refObserved.map(({ name, runs }) => ({
    name,
    runs: runs.length,
    sigs: new Set(runs.map((r) => signature(r, compareOutput))),
  }));
  const varying = outcomes.filter((r) => r.sigs.size > 1);
  const note =
    varying.length === 0
      ? ''
      : `; the references vary on this test (${varying
          .map((r) => `${r.name}: ${r.sigs.size} outcomes in ${r.runs} runs`)
          .join(', ')})`;
  const judged = (verdict: Judged): Classification => ({
    ...withConsensus,
    ...verdict,
    reason: verdict.reason + note,
    ...(varying.length > 0 ? { varying: varying.map((r) => r.name) } : {}),
  });

  // Every boot of the candidate that could have reported the test was failed by the host
  // (QEMU killed from outside, refusing to start, console bytes lost): its silence says nothing
  // of the kernel, so the test has no verdict (as when no reference finished it), never `missing`.
  if (candidateRuns.length === 0) {
    const boot = candidate[0];
    const unchecked = boot && boot.kind === 'infra' ? boot.unchecked : undefined;
    const message = boot && boot.kind === 'infra' ? boot.boot.message : undefined;
    const reason =
      unchecked !== undefined
        ? `not judged: the course checker (harness.checker) could not judge the candidate's run: ${unchecked}`
        : `not judged: QEMU could not boot the candidate${message ? ` (${message})` : ''}`;
    return {
      ...judged({ class: 'ambiguous', reason }),
      blame: 'infrastructure',
      confidence: 0,
      agreeing: [],
    };
  }
  const sigs = candidateRuns.map((r) => signature(r, compareOutput));
  const distinct = [...new Set(sigs)];
  // References that showed every outcome of the candidate's runs.
  const allowing = outcomes.filter((r) => distinct.every((s) => r.sigs.has(s))).map((r) => r.name);
  if (allowing.length === outcomes.length) {
    const reason =
      distinct.length === 1
        ? `matches ${list(allowing)}`
        : `each of its runs matches a run of ${list(allowing)}: it ${describeRuns(candidateRuns)}`;
    return judged({ class: 'same', agreeing: allowing, reason });
  }
  const single = (run: RunView) =>
    judgeOne(run, candidateRuns, refObserved, { run: consensus.run, agreeing }, compareOutput);
  if (distinct.length === 1) return judged(single(candidateRuns[0] as RunView));

  // The candidate's runs disagree, and not only within what every reference showed.
  const shown = new Set(outcomes.flatMap((r) => [...r.sigs]));
  const outside = sigs.filter((s) => !shown.has(s)).length;
  if (outside === 0) {
    const which =
      allowing.length > 0
        ? `only ${list(allowing)} showed them all`
        : 'no reference showed them all';
    return judged({
      class: 'ambiguous',
      agreeing: allowing,
      reason: `the references disagree: each of the candidate's runs matches a reference run, but ${which}; it ${describeRuns(candidateRuns)}`,
    });
  }
  // Every run outside what the references showed, on a test whose references vary: the
  // candidate varies as the references do, and diverges alike in every run.
  if (varying.length > 0 && outside === sigs.length) {
    const each = candidateRuns.map(single);
    const [first] = each;
    if (first && each.every((c) => c.class === first.class)) return judged(first);
  }
  return judged({
    class: 'flaky',
    reason: `the candidate's runs disagree: it ${describeRuns(candidateRuns)}${
      varying.length > 0
        ? `; ${outside} of its ${sigs.length} runs ${outside === 1 ? 'matches' : 'match'} no reference run`
        : ''
    }`,
  });
}

type Judged = Pick<Classification, 'class' | 'reason'> & Partial<Pick<Classification, 'agreeing'>>;

/**
 * One outcome of the candidate (the outcome of each of `candidateRuns`) that not every reference
 * showed: the references disagree, or the candidate diverges from them.
 */
function judgeOne(
  run: RunView,
  candidateRuns: readonly RunView[],
  refObserved: readonly { name: string; runs: ObservedRun[] }[],
  consensus: { run: ObservedRun; agreeing: readonly string[] },
  compareOutput: boolean,
): Judged {
  const allRefRuns = refObserved.flatMap(({ runs }) => runs);
  const refText = `${describeRuns(allRefRuns)} on ${list(refObserved.map((r) => r.name))}`;
  if (run.kind !== 'observed') {
    const cls = run.kind === 'crashed' ? 'crash' : run.kind === 'hung' ? 'hang' : 'missing';
    const detail = run.boot.message ? ` (${run.boot.message})` : '';
    const what =
      run.boot.outcome === 'not-from-harness'
        ? 'reported results not from the harness'
        : {
            crash: 'crashed before reporting it',
            hang: 'hung before reporting it',
            missing: 'finished without reporting it',
          }[cls];
    return { class: cls, reason: `the candidate's boot ${what}${detail}; the test ${refText}` };
  }

  const candidateSig = signature(run, compareOutput);
  const allowing = refObserved
    .filter(({ runs }) => runs.some((r) => signature(r, compareOutput) === candidateSig))
    .map((r) => r.name);
  if (allowing.length > 0) {
    const others = refObserved.map((r) => r.name).filter((n) => !allowing.includes(n));
    return {
      class: 'ambiguous',
      agreeing: allowing,
      reason: `the references disagree: the candidate matches ${list(allowing)}, not ${list(others)}`,
    };
  }
  // The candidate matches no reference run. Compare by status first.
  const refStatuses = refObserved.map(({ runs }) => new Set(runs.map((r) => r.status)));
  const shared = [...(refStatuses[0] ?? [])].filter((s) => refStatuses.every((set) => set.has(s)));
  if (shared.length === 0) {
    return {
      class: 'ambiguous',
      reason: `the references disagree (${refText}); the candidate ${describeRuns(candidateRuns)}`,
    };
  }
  const consensusStatus = consensus.run.status;
  if (run.status === consensusStatus)
    return {
      class: 'output',
      reason: `same status (${run.status}) as ${list(consensus.agreeing)}, different output`,
    };
  return {
    class: statusChange(consensusStatus, run.status),
    reason: `the test ${refText}; the candidate ${describeRuns(candidateRuns)}`,
  };
}
