import { createHash } from 'node:crypto';
import { createTwoFilesPatch } from 'diff';
import type { KernelObservation } from '../results/observe.js';
import type { TestObservation } from '../model/results.js';
import { CLASSES, type DivergenceClass, isDivergence, isDivergentClass } from '../model/classes.js';
import { type Classification, classify } from './classify.js';
import { type Expectation, matchExpectation } from './expectations.js';
import {
  applyMasks,
  learnMasks,
  makeNormalizer,
  type NormalizeSettings,
  unorderedTests,
} from './normalize.js';
import { isObserved, type ObservedRun, type RunView, unobservedKind } from './runs.js';
import type { Cluster, ReportObservation, ReportTest, Verdict } from '../model/verdict.js';
import type { LearnedMask } from '../model/report.js';

export interface JudgeInput {
  /** Every boot of every kernel. */
  observations: readonly KernelObservation[];
  candidate: string;
  references: readonly string[];
  normalize: NormalizeSettings;
  compareOutput: boolean;
  expectations: readonly Expectation[];
  failOn: readonly DivergenceClass[];
  scope: { arch: string; variant: string; today: string };
}

export interface Judgement {
  tests: ReportTest[];
  clusters: Cluster[];
  learned: LearnedMask[];
  /** Working references are the oracle; these are left out, with why. */
  broken: Map<string, string>;
  matched: Set<Expectation>;
}

/** Whether any boot of a kernel observed anything: a reference that never did is broken. */
function brokenReason(boots: readonly KernelObservation[]): string | undefined {
  if (boots.some((b) => b.tests.some((t) => t.status !== 'missing'))) return undefined;
  const outcomes = boots.map(
    (b) => b.boot.outcome + (b.boot.message ? ` (${b.boot.message})` : ''),
  );
  return `no boot reported a test: ${[...new Set(outcomes)].join('; ')}`;
}

function byKernel(observations: readonly KernelObservation[]): Map<string, KernelObservation[]> {
  const kernels = new Map<string, KernelObservation[]>();
  for (const o of observations) {
    const boots = kernels.get(o.kernel) ?? [];
    boots.push(o);
    kernels.set(o.kernel, boots);
  }
  for (const boots of kernels.values()) boots.sort((a, b) => a.attempt - b.attempt);
  return kernels;
}

/** The boots of a kernel that ran test `id`: every boot, or its own boots when it has per-test boots. */
function bootsOf(boots: readonly KernelObservation[], id: string): KernelObservation[] {
  return boots.filter((boot) => boot.test === undefined || boot.test === id);
}

/** What the candidate says first that the consensus does not: one bug, one signature. */
function firstDifference(
  reference: ObservedRun | undefined,
  candidate: ObservedRun | undefined,
): string | undefined {
  if (!reference || !candidate) return undefined;
  const at = candidate.output.findIndex((line, i) => line !== reference.output[i]);
  if (at >= 0) return candidate.output[at];
  if (candidate.output.length < reference.output.length)
    return `(output ends before: ${reference.output[candidate.output.length]})`;
  return `${reference.status} → ${candidate.status}`;
}

function clusterSignature(
  test: ReportTest,
  difference: string | undefined,
  candidateBoots: readonly KernelObservation[],
  lastSeen: Map<KernelObservation, string>,
): string {
  const { verdict } = test;
  const cls = verdict.expected?.class ?? verdict.class;
  const first = candidateBoots[0];
  const boot = first?.boot;
  if ((cls === 'crash' || cls === 'hang' || cls === 'missing') && first && boot) {
    const splat = boot.splats.find((s) => ['panic', 'oops', 'bug', 'kasan'].includes(s.kind));
    if (cls === 'crash' && splat) return splat.fingerprint;
    const after = lastSeen.get(first);
    return `${cls}: boot ${boot.outcome} at stage ${boot.stage}${after ? ` after ${after}` : ''}`;
  }
  return `${cls}: ${difference ?? verdict.reason}`;
}

/**
 * Judges every test: normalises outputs, learns masks from repeated reference runs, classifies
 * each test against the reference oracle, applies expectations and clusters the divergences.
 */
export function judge(input: JudgeInput): Judgement {
  const normalizer = makeNormalizer(input.normalize);
  // Tests whose line order is scheduling: their lines are compared as a multiset, sorted.
  const unordered = unorderedTests(input.normalize.unordered ?? []);
  const ordered = (id: string, lines: string[]) => (unordered(id) ? lines.sort() : lines);
  const kernels = byKernel(input.observations);
  const broken = new Map<string, string>();
  for (const name of input.references) {
    const reason = brokenReason(kernels.get(name) ?? []);
    if (reason) broken.set(name, reason);
  }
  const working = input.references.filter((name) => !broken.has(name));

  // Normalised observations per boot, indexed by test id; apart, what a test that the boot died
  // during printed before it died.
  const index = new Map<KernelObservation, Map<string, TestObservation>>();
  const unfinished = new Map<KernelObservation, Map<string, string[]>>();
  const order: string[] = [];
  const known = new Set<string>();
  for (const name of [...working, input.candidate]) {
    for (const boot of kernels.get(name) ?? []) {
      const tests = new Map<string, TestObservation>();
      const printed = new Map<string, string[]>();
      for (const test of boot.tests) {
        if (test.status === 'missing') {
          if (test.output.length > 0) printed.set(test.id, normalizer.lines(test.output));
          continue;
        }
        tests.set(test.id, { ...test, output: ordered(test.id, normalizer.lines(test.output)) });
        if (!known.has(test.id)) {
          known.add(test.id);
          order.push(test.id);
        }
      }
      index.set(boot, tests);
      unfinished.set(boot, printed);
    }
  }

  // Masks are learned between the runs of one reference that share a status: a reference that
  // passes a test on one boot and fails it on another prints other lines because its outcome
  // differs, and a mask learned from those would hide every kernel's output of the test.
  const byStatus = new Map<string, Map<string, Map<string, string[][]>>>();
  for (const name of working) {
    for (const boot of kernels.get(name) ?? []) {
      for (const [id, test] of index.get(boot) ?? []) {
        const references = byStatus.get(test.status) ?? new Map<string, Map<string, string[][]>>();
        byStatus.set(test.status, references);
        const perTest = references.get(name) ?? new Map<string, string[][]>();
        references.set(name, perTest);
        perTest.set(id, [...(perTest.get(id) ?? []), test.output]);
      }
    }
  }
  const learned: LearnedMask[] = [];
  const learnedKeys = new Set<string>();
  for (const runsByReference of byStatus.values()) {
    for (const mask of learnMasks(runsByReference)) {
      const key = `${mask.test}\0${mask.template}`;
      if (learnedKeys.has(key)) continue;
      learnedKeys.add(key);
      learned.push(mask);
    }
  }
  const masked = new Set(learned.map((m) => m.test));

  const views = (name: string, id: string): RunView[] =>
    bootsOf(kernels.get(name) ?? [], id).map((boot) => {
      const test = index.get(boot)?.get(id);
      if (!test) {
        const output = unfinished.get(boot)?.get(id);
        const kind = unobservedKind(boot.boot);
        return { attempt: boot.attempt, kind, boot: boot.boot, ...(output && { output }) };
      }
      // The course checker could not judge it: the host's fault, as if the boot had failed.
      if (test.unchecked !== undefined)
        return { attempt: boot.attempt, kind: 'infra', boot: boot.boot, unchecked: test.unchecked };
      // A mask can make lines equal that sorted apart: sort again what was sorted.
      const output = masked.has(id)
        ? ordered(id, applyMasks(learned, id, test.output))
        : test.output;
      return {
        attempt: boot.attempt,
        kind: 'observed',
        status: test.status as Exclude<typeof test.status, 'missing'>,
        output,
      };
    });

  const candidateBoots = kernels.get(input.candidate) ?? [];
  const lastSeen = new Map(
    candidateBoots.map((b) => [b, b.tests.filter((t) => t.status !== 'missing').at(-1)?.id ?? '']),
  );
  const matched = new Set<Expectation>();
  const tests: ReportTest[] = [];
  const differences = new Map<string, string | undefined>();
  for (const id of order) {
    const candidate = views(input.candidate, id);
    const references = new Map(working.map((name) => [name, views(name, id)]));
    const result = classify(candidate, references, input.compareOutput);
    if (!result) continue;
    if (input.compareOutput && unordered(id)) result.reason += ' (lines compared in any order)';
    const observations: Record<string, ReportObservation[]> = {};
    for (const [name, runs] of [[input.candidate, candidate] as const, ...references]) {
      observations[name] = runs.flatMap((run): ReportObservation[] =>
        isObserved(run)
          ? [{ attempt: run.attempt, status: run.status, output: run.output }]
          : // A run that died during the test: `missing`, with what it printed before.
            run.output
            ? [{ attempt: run.attempt, status: 'missing', output: run.output }]
            : [],
      );
    }
    const observed = candidate.find(isObserved);
    const shown = observed ?? diedDuring(candidate, result.class);
    tests.push({
      id,
      observations,
      verdict: toVerdict(result, observed, shown, input, matched, id),
    });
    differences.set(id, firstDifference(result.consensus?.run, observed));
  }

  const groups = new Map<string, Cluster>();
  for (const test of tests) {
    if (!isDivergence(test.verdict)) continue;
    const signature = clusterSignature(
      test,
      differences.get(test.id),
      bootsOf(candidateBoots, test.id),
      lastSeen,
    );
    const key = `${test.verdict.class}\n${signature}`;
    const cluster = groups.get(key) ?? {
      id: `c${createHash('sha1').update(key).digest('hex').slice(0, 8)}`,
      class: test.verdict.class,
      signature,
      tests: [],
    };
    cluster.tests.push(test.id);
    groups.set(key, cluster);
    test.verdict.cluster = cluster.id;
  }
  return { tests, clusters: [...groups.values()], learned, broken, matched };
}

/** A run as its diff shows it: the status line, then the output. */
interface Shown {
  status: string;
  output: readonly string[];
}

/** The runs a class of a boot that ended during the test is read from (see unobservedKind). */
const ENDED_DURING: Partial<Record<DivergenceClass, RunView['kind']>> = {
  crash: 'crashed',
  hang: 'hung',
  missing: 'absent',
};

/**
 * A crash, hang or missing test as its diff against the consensus shows it: the class for the
 * status line, then what the test printed before the boot ended; undefined when nothing of it
 * was kept.
 */
function diedDuring(runs: readonly RunView[], cls: DivergenceClass): Shown | undefined {
  const run = runs.find((r) => r.kind === ENDED_DURING[cls]);
  if (!run || run.kind === 'observed' || !run.output) return undefined;
  return { status: cls, output: run.output };
}

/** `shown`: the candidate's run the diff shows, the observed one or one that died during the test. */
function toVerdict(
  result: Classification,
  observed: ObservedRun | undefined,
  shown: Shown | undefined,
  input: JudgeInput,
  matched: Set<Expectation>,
  id: string,
): Verdict {
  let diff: string | undefined;
  const reference = result.consensus;
  if (isDivergentClass(result.class) && reference && shown) {
    const before = [reference.run.status, ...reference.run.output].join('\n');
    const after = [shown.status, ...shown.output].join('\n');
    if (before !== after) {
      // The status is the first line, so a status change shows in the diff too.
      diff = createTwoFilesPatch(
        reference.reference,
        input.candidate,
        `${before}\n`,
        `${after}\n`,
        '',
        '',
        {
          context: 3,
        },
      ).replace(/^=+\n/, '');
    }
  }
  const verdict: Verdict = {
    class: result.class,
    severity: CLASSES[result.class].severity,
    blame: result.blame,
    confidence: Math.round(result.confidence * 1000) / 1000,
    agreeing: result.agreeing,
    reason: result.reason,
    counts: result.counts,
    ...(result.varying ? { varying: result.varying } : {}),
    ...(diff ? { diff } : {}),
    failing: false,
  };
  if (isDivergence(result)) {
    const entry = matchExpectation([...input.expectations], {
      test: id,
      class: result.class,
      candidateStatus: observed?.status ?? 'missing',
      agreeing: result.agreeing,
      references: [...input.references],
      arch: input.scope.arch,
      variant: input.scope.variant,
      today: input.scope.today,
    });
    if (entry) {
      matched.add(entry);
      verdict.expected = {
        class: result.class,
        reason: entry.reason,
        ...(entry.link ? { link: entry.link } : {}),
      };
      verdict.class = 'expected';
      verdict.severity = CLASSES.expected.severity;
    }
  }
  verdict.failing = verdict.blame === 'kernel' && input.failOn.includes(verdict.class);
  return verdict;
}
