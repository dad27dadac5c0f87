import { allowanceSeconds, coveredSeconds, creditReport, mergeRanges, tenthsWatched, uncovered, watchedPercent, WatchRange } from './watch-ranges';

describe('watch ranges', () => {
  describe(mergeRanges.name, () => {
    it('sorts, joins overlapping and nearly touching ranges, and clamps them to the video', () => {
      expect(mergeRanges([[20, 30], [0, 10], [9, 12], [12.5, 14], [-5, 1], [95, 130]], 100)).toEqual([
        [0, 14],
        [20, 30],
        [95, 100],
      ]);
    });

    it('drops what a broken or hostile client could send: NaN, reversed, empty, wrong shapes', () => {
      const junk = [[NaN, 5], [10, 5], [7, 7], [1], 'x', [Infinity, 3], [2, 4]] as unknown as WatchRange[];
      expect(mergeRanges(junk, 60)).toEqual([[2, 4]]);
    });

    it('keeps ranges more than a second apart separate', () => {
      expect(mergeRanges([[0, 5], [6.5, 8]], 60)).toEqual([
        [0, 5],
        [6.5, 8],
      ]);
    });
  });

  it('finds the parts of a report that are not covered yet', () => {
    expect(uncovered([[10, 20], [30, 40]], [[5, 35], [45, 50]])).toEqual([
      [5, 10],
      [20, 30],
      [45, 50],
    ]);
    expect(uncovered([[0, 60]], [[10, 20]])).toEqual([]);
  });

  it('allows twice the wall-clock time since the last report plus 15 seconds', () => {
    expect(allowanceSeconds(0)).toBe(15);
    expect(allowanceSeconds(10_000)).toBe(35);
    expect(allowanceSeconds(-5_000)).toBe(15);
  });

  describe(creditReport.name, () => {
    it('credits a report of what was watched in real time in full', () => {
      const result = creditReport([[0, 10]], [[10, 20]], 60, allowanceSeconds(10_000));
      expect(result.coverage).toEqual([[0, 20]]);
      expect(result.creditedSeconds).toBe(10);
      expect(result.refusedSeconds).toBe(0);
    });

    it('does not credit a learner who skips to the end: only the allowance counts, earliest first', () => {
      const result = creditReport([], [[0, 600]], 600, allowanceSeconds(5_000));
      expect(result.coverage).toEqual([[0, 25]]);
      expect(result.creditedSeconds).toBe(25);
      expect(result.refusedSeconds).toBe(575);
      expect(watchedPercent(result.coverage, 600)).toBe(4);
    });

    it('does not spend the allowance on parts watched before (rewatching is free, and adds nothing)', () => {
      const again = creditReport([[0, 30]], [[0, 30]], 60, 15);
      expect(again.creditedSeconds).toBe(0);
      expect(again.coverage).toEqual([[0, 30]]);
      const more = creditReport([[0, 30]], [[0, 50]], 60, 15);
      expect(more.coverage).toEqual([[0, 45]]);
    });

    it('reaches 100% only when every part was watched', () => {
      let coverage: WatchRange[] = [];
      for (let at = 0; at < 60; at += 10) coverage = creditReport(coverage, [[at, at + 10]], 60, allowanceSeconds(10_000)).coverage;
      expect(coveredSeconds(coverage)).toBe(60);
      expect(watchedPercent(coverage, 60)).toBe(100);
    });
  });

  it('rounds the watched share down and never goes past 100', () => {
    expect(watchedPercent([[0, 79.9]], 100)).toBe(79);
    expect(watchedPercent([[0, 80]], 100)).toBe(80);
    expect(watchedPercent([[0, 100]], 100)).toBe(100);
    expect(watchedPercent([[0, 10]], 0)).toBe(0);
  });

  it('tells, per tenth of the video, which share of learners watched at least half of it', () => {
    const coverages: WatchRange[][] = [
      [[0, 1], [9, 10]],
      [[0, 8.2]],
      [[0, 5]],
      [[2, 2.4]],
    ];
    expect(tenthsWatched(coverages, 10)).toEqual([75, 50, 50, 50, 50, 25, 25, 25, 0, 25]);
    expect(tenthsWatched([], 10)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(tenthsWatched([[[0, 60]]], 0)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });
});
