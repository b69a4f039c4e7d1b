import type { StepVerdict } from '../model/bisect.js';
/**
 * The search of a bisect, over the commits between the good and the bad revision in order
 * (index 0 the oldest after good, `count - 1` the bad revision). Pure: the commits are indices
 * and a verdict oracle tests them.
 *
 * With k slots a round tests k commits at once, splitting the undecided range into k + 1 parts,
 * so the rounds fall from log2(N) to log_(k+1)(N). A skipped commit (it did not build, or could
 * not be booted) is stepped around as `git bisect skip` does: the nearest commit not yet tested
 * is tried instead; if only skipped commits are left between the last good and the first bad,
 * the answer is the first bad commit with those skipped commits as the ones that could be it.
 */

export type Verdicts = ReadonlyMap<number, StepVerdict>;

/**
 * The range still undecided: `lo` the last good index below the first bad (-1: the good
 * revision itself), `hi` the first bad index (the bad revision until tested otherwise).
 */
export function bounds(count: number, verdicts: Verdicts): { lo: number; hi: number } {
  let hi = count - 1;
  for (const [index, verdict] of verdicts) if (verdict === 'bad' && index < hi) hi = index;
  let lo = -1;
  for (const [index, verdict] of verdicts)
    if (verdict === 'good' && index < hi && index > lo) lo = index;
  return { lo, hi };
}

/** The untested commit nearest `target` in (lo, hi), not one of `taken`; ties go to the older. */
function nearestUntested(
  target: number,
  lo: number,
  hi: number,
  verdicts: Verdicts,
  taken: ReadonlySet<number>,
): number | undefined {
  for (let distance = 0; distance < hi - lo; distance++)
    for (const index of [target - distance, target + distance])
      if (index > lo && index < hi && !verdicts.has(index) && !taken.has(index)) return index;
  return undefined;
}

/**
 * The commits to test in the next round, at most `slots` of them; none when the search is
 * over. The bad revision is tested in the first round (a bad revision that is good is bad
 * input), beside `slots - 1` commits that split the range.
 */
export function nextRound(count: number, verdicts: Verdicts, slots: number): number[] {
  const picks: number[] = [];
  const taken = new Set<number>();
  if (count > 0 && !verdicts.has(count - 1)) {
    picks.push(count - 1);
    taken.add(count - 1);
  }
  const { lo, hi } = bounds(count, verdicts);
  const probes = slots - picks.length;
  for (let j = 1; j <= probes; j++) {
    const target = lo + Math.round((j * (hi - lo)) / (probes + 1));
    const index = nearestUntested(target, lo, hi, verdicts, taken);
    if (index === undefined) break;
    picks.push(index);
    taken.add(index);
  }
  return picks;
}

export interface SearchOutcome {
  /** Index of the first bad commit; undefined when the bad revision was not bad. */
  culprit?: number;
  /** Skipped commits just before the culprit: any of them could be the first bad one instead. */
  undecided: number[];
  /** What the bad revision came out as, when it was not bad. */
  badRevision?: Exclude<StepVerdict, 'bad'>;
}

/** The answer once `nextRound` has nothing left to test. */
export function outcome(count: number, verdicts: Verdicts): SearchOutcome {
  const last = verdicts.get(count - 1);
  if (last !== 'bad') return { undecided: [], badRevision: last === 'good' ? 'good' : 'skip' };
  const { lo, hi } = bounds(count, verdicts);
  const undecided: number[] = [];
  for (let index = lo + 1; index < hi; index++) undecided.push(index);
  return { culprit: hi, undecided };
}

export interface SearchRun extends SearchOutcome {
  rounds: number;
  verdicts: Map<number, StepVerdict>;
}

/**
 * Runs the search: each round's commits go to `test` together (it may test them in parallel)
 * and come back as one verdict each, in order.
 */
export async function search(
  count: number,
  slots: number,
  test: (indices: readonly number[]) => Promise<readonly StepVerdict[]>,
): Promise<SearchRun> {
  const verdicts = new Map<number, StepVerdict>();
  let rounds = 0;
  for (;;) {
    const round = nextRound(count, verdicts, Math.max(1, slots));
    if (round.length === 0) break;
    rounds++;
    const results = await test(round);
    round.forEach((index, i) => verdicts.set(index, results[i] ?? 'skip'));
    // A bad revision that is not bad ends the search: nothing in the range can be blamed.
    const last = verdicts.get(count - 1);
    if (last !== undefined && last !== 'bad') break;
  }
  return { ...outcome(count, verdicts), rounds, verdicts };
}
