/**
 * Watched parts of a video as sorted, disjoint [from, to) ranges in seconds. Pure functions: the
 * WatchService stores the result, these decide what a report may add.
 */
export type WatchRange = [from: number, to: number];

/** Two ranges closer than this are one: players report from timeupdate, a few hundred ms apart. */
const JOIN_GAP_SECONDS = 1;

/** Tenths of a second are plenty; they keep the stored JSON short. */
const round = (seconds: number) => Math.round(seconds * 10) / 10;

/**
 * Ranges clamped to [0, duration], invalid ones (NaN, empty, reversed) dropped, sorted and
 * merged, so anything a client sends becomes a well-formed coverage.
 */
export function mergeRanges(ranges: readonly WatchRange[], durationSeconds: number): WatchRange[] {
  const clean = ranges
    .filter((r) => Array.isArray(r) && r.length === 2 && Number.isFinite(r[0]) && Number.isFinite(r[1]))
    .map(([from, to]): WatchRange => [round(Math.max(0, from)), round(Math.min(durationSeconds, to))])
    .filter(([from, to]) => to > from)
    .sort((a, b) => a[0] - b[0]);
  const merged: WatchRange[] = [];
  for (const [from, to] of clean) {
    const last = merged[merged.length - 1];
    if (last && from <= last[1] + JOIN_GAP_SECONDS) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged;
}

export function coveredSeconds(ranges: readonly WatchRange[]): number {
  return round(ranges.reduce((sum, [from, to]) => sum + (to - from), 0));
}

/** The parts of `reported` not already in `coverage` (both merged), earliest first. */
export function uncovered(coverage: readonly WatchRange[], reported: readonly WatchRange[]): WatchRange[] {
  const result: WatchRange[] = [];
  for (const [from, to] of reported) {
    let start = from;
    for (const [cFrom, cTo] of coverage) {
      if (cTo <= start || cFrom >= to) continue;
      if (cFrom > start) result.push([start, cFrom]);
      start = Math.max(start, cTo);
      if (start >= to) break;
    }
    if (start < to) result.push([start, to]);
  }
  return result;
}

/**
 * The most new seconds one report may add: a learner cannot have watched more than twice the
 * wall-clock time since the last report (2× playback speed) plus a little slack for the first
 * report and clock jitter. Skipping to the end therefore adds only what was really watched.
 */
export function allowanceSeconds(elapsedMs: number): number {
  return 2 * Math.max(0, elapsedMs) / 1000 + 15;
}

export interface CreditResult {
  coverage: WatchRange[];
  /** Seconds added by this report (after the allowance). */
  creditedSeconds: number;
  /** Seconds the report claimed beyond the allowance, not credited. */
  refusedSeconds: number;
}

/**
 * Adds a report to the coverage: only what is new counts against the allowance, earliest first;
 * what does not fit is cut off, not credited.
 */
export function creditReport(coverage: readonly WatchRange[], reported: readonly WatchRange[], durationSeconds: number, allowance: number): CreditResult {
  const current = mergeRanges(coverage, durationSeconds);
  const fresh = uncovered(current, mergeRanges(reported, durationSeconds));
  let left = allowance;
  const accepted: WatchRange[] = [];
  let claimed = 0;
  for (const [from, to] of fresh) {
    claimed += to - from;
    if (left <= 0) continue;
    const end = Math.min(to, from + left);
    accepted.push([from, end]);
    left -= end - from;
  }
  const next = mergeRanges([...current, ...accepted], durationSeconds);
  const creditedSeconds = round(coveredSeconds(next) - coveredSeconds(current));
  return { coverage: next, creditedSeconds, refusedSeconds: round(Math.max(0, claimed - creditedSeconds)) };
}

/** Whole percent of the video watched, never above 100. */
export function watchedPercent(ranges: readonly WatchRange[], durationSeconds: number): number {
  if (durationSeconds <= 0) return 0;
  return Math.min(100, Math.floor((coveredSeconds(ranges) * 100) / durationSeconds + 1e-9));
}

/** Seconds of `coverage` (merged) inside [from, to). */
function overlap(coverage: readonly WatchRange[], from: number, to: number): number {
  let seconds = 0;
  for (const [cFrom, cTo] of coverage) seconds += Math.max(0, Math.min(to, cTo) - Math.max(from, cFrom));
  return seconds;
}

/**
 * For each tenth of the video, the whole percent of learners (one coverage each) who watched at
 * least half of it: where a trainer sees learners drop off or skip.
 */
export function tenthsWatched(coverages: readonly (readonly WatchRange[])[], durationSeconds: number): number[] {
  const tenth = durationSeconds / 10;
  return Array.from({ length: 10 }, (_, i) => {
    if (coverages.length === 0 || tenth <= 0) return 0;
    const watched = coverages.filter((coverage) => overlap(coverage, i * tenth, (i + 1) * tenth) >= tenth / 2).length;
    return Math.round((watched * 100) / coverages.length);
  });
}
