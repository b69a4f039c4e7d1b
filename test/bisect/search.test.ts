/** The bisect search with a fake verdict oracle: k-ary rounds, skips, the bad revision's check. */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { nextRound, search } from '../../src/bisect/search.js';
import type { StepVerdict } from '../../src/model/bisect.js';

/** A history whose commits from `culprit` on are bad, with `skipped` commits that never build. */
function oracle(culprit: number, skipped: ReadonlySet<number> = new Set()) {
  const tested: number[][] = [];
  const test = (indices: readonly number[]): Promise<StepVerdict[]> => {
    tested.push([...indices]);
    return Promise.resolve(
      indices.map((i) => (skipped.has(i) ? 'skip' : i >= culprit ? 'bad' : 'good')),
    );
  };
  return { test, tested };
}

describe('nextRound', () => {
  it('tests the bad revision first, beside slots - 1 commits splitting the range', () => {
    expect(nextRound(31, new Map(), 1)).toEqual([30]);
    expect(nextRound(31, new Map(), 2)).toEqual([30, 15]);
  });

  it('splits the undecided range into k + 1 parts with k slots', () => {
    const bad = new Map<number, StepVerdict>([[30, 'bad']]);
    expect(nextRound(31, bad, 1)).toEqual([15]);
    expect(nextRound(31, bad, 2)).toEqual([9, 20]);
    expect(nextRound(31, bad, 3)).toEqual([7, 15, 22]);
  });

  it('steps around a skipped commit to the nearest one not yet tested', () => {
    const verdicts = new Map<number, StepVerdict>([
      [30, 'bad'],
      [15, 'skip'],
    ]);
    expect(nextRound(31, verdicts, 1)).toEqual([14]);
    verdicts.set(14, 'skip');
    expect(nextRound(31, verdicts, 1)).toEqual([16]);
  });

  it('has nothing left once the last good and the first bad are neighbours', () => {
    const verdicts = new Map<number, StepVerdict>([
      [30, 'bad'],
      [11, 'bad'],
      [10, 'good'],
    ]);
    expect(nextRound(31, verdicts, 4)).toEqual([]);
  });
});

describe('search', () => {
  it('finds every culprit in every range, testing no commit twice and at most k a round', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 1, max: 300 })
          .chain((count) =>
            fc.tuple(
              fc.constant(count),
              fc.integer({ min: 0, max: count - 1 }),
              fc.integer({ min: 1, max: 6 }),
            ),
          ),
        async ([count, culprit, slots]) => {
          const { test, tested } = oracle(culprit);
          const run = await search(count, slots, test);
          expect(run.culprit).toBe(culprit);
          expect(run.undecided).toEqual([]);
          const all = tested.flat();
          expect(new Set(all).size).toBe(all.length);
          for (const round of tested) expect(round.length).toBeLessThanOrEqual(slots);
          // The bad revision's round, then each round cuts the range into k + 1 parts.
          expect(run.rounds).toBeLessThanOrEqual(
            2 + Math.ceil(Math.log(count) / Math.log(slots + 1)),
          );
        },
      ),
    );
  });

  it('takes fewer rounds with more slots', async () => {
    const rounds = async (slots: number) => {
      let total = 0;
      for (let culprit = 0; culprit < 256; culprit++)
        total += (await search(256, slots, oracle(culprit).test)).rounds;
      return total / 256;
    };
    const [one, two, four] = [await rounds(1), await rounds(2), await rounds(4)];
    expect(one).toBeGreaterThanOrEqual(8);
    expect(two).toBeLessThan(one * 0.75);
    expect(four).toBeLessThan(two * 0.8);
  });

  it('blames the first bad commit past skipped ones, naming the skipped ones that could be it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 2, max: 120 })
          .chain((count) =>
            fc.tuple(
              fc.constant(count),
              fc.integer({ min: 0, max: count - 2 }),
              fc.uniqueArray(fc.integer({ min: 0, max: count - 2 }), { maxLength: 10 }),
              fc.integer({ min: 1, max: 4 }),
            ),
          ),
        async ([count, culprit, skips, slots]) => {
          const skipped = new Set(skips);
          const run = await search(count, slots, oracle(culprit, skipped).test);
          let hi = culprit;
          while (skipped.has(hi)) hi++;
          let lo = culprit - 1;
          while (lo >= 0 && skipped.has(lo)) lo--;
          expect(run.culprit).toBe(hi);
          expect(run.undecided).toEqual(Array.from({ length: hi - lo - 1 }, (_, i) => lo + 1 + i));
        },
      ),
    );
  });

  it('stops after the first round when the bad revision is good or cannot be tested', async () => {
    const good = await search(31, 2, oracle(99).test);
    expect(good).toMatchObject({ badRevision: 'good', rounds: 1, undecided: [] });
    expect(good.culprit).toBeUndefined();
    const skipped = await search(31, 2, oracle(3, new Set([30])).test);
    expect(skipped).toMatchObject({ badRevision: 'skip', rounds: 1 });
  });
});
