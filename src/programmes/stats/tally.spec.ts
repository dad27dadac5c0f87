import { EnrolmentState, medianDays, summarise, Tally, zeroCounts } from './tally';
import { ALL_WEEKS } from './weeks';

const base: EnrolmentState = {
  cohortId: 3,
  courseId: 7,
  enrolledWeek: 2900,
  started: false,
  halfway: false,
  completedWeek: null,
  daysToComplete: null,
  certified: false,
  sector: 'leather',
  province: 'punjab',
  gender: 'female',
  city: 'Sialkot',
  quizState: {},
};

describe(Tally.name, () => {
  it('adds an enrolment to the total and to every breakdown in its enrolment week', () => {
    const tally = new Tally();
    tally.addEnrolment(base);
    const summary = summarise(tally, ALL_WEEKS);
    for (const [dimension, value] of [['all', ''], ['course', '7'], ['cohort', '3'], ['sector', 'leather'], ['city', 'Sialkot']] as const) {
      expect(summary.byValue.get(dimension)?.get(value)?.enrolled).toBe(1);
    }
    expect(summary.weekly.get(2900)).toEqual({ enrolled: 1, completions: 0 });
    const cohort = summarise(tally, ALL_WEEKS, { cohortId: 3, courseId: 0 });
    expect(cohort.byValue.get('course')?.get('7')?.enrolled).toBe(1);
    expect(cohort.byValue.has('cohort')).toBe(false);
    expect(summarise(tally, ALL_WEEKS, { cohortId: 4, courseId: 0 }).byValue.size).toBe(0);
  });

  it('counts a completion in the week it happened and its days in the enrolment week', () => {
    const tally = new Tally();
    tally.addEnrolment({ ...base, started: true, halfway: true, completedWeek: 2903, daysToComplete: 19, quizState: { 11: 'p', 12: 'a' } });
    const summary = summarise(tally, { from: 2903, to: 2903 });
    expect(summary.byValue.get('all')?.get('')?.enrolled ?? 0).toBe(0);
    expect(summary.weekly.get(2903)).toEqual({ enrolled: 0, completions: 1 });
    const all = summarise(tally, ALL_WEEKS);
    expect(all.byValue.get('days')?.get('19')?.completed).toBe(1);
    expect(all.quizzes.get(11)).toEqual({ attempted: 1, passed: 1 });
    expect(all.quizzes.get(12)).toEqual({ attempted: 1, passed: 0 });
  });

  it('turns a change into a difference that names only what moved', () => {
    const diff = new Tally();
    diff.addEnrolment(base, -1);
    diff.addEnrolment({ ...base, started: true });
    diff.withoutZeros();
    const entries = [...diff.stats.entries()].map(([key, counts]) => ({ ...Tally.parseStatKey(key), started: counts.started, enrolled: counts.enrolled }));
    // Seven rows for the programme, six each for the cohort and the course.
    expect(entries).toHaveLength(19);
    expect(entries.every((e) => e.started === 1 && e.enrolled === 0)).toBe(true);
  });

  it('moves an enrolment between cities when the profile changes', () => {
    const diff = new Tally();
    diff.addEnrolment(base, -1);
    diff.addEnrolment({ ...base, city: 'Lahore' });
    diff.withoutZeros();
    const moved = [...diff.stats.keys()].map((k) => Tally.parseStatKey(k)).filter((k) => k.cohortId === 0 && k.courseId === 0);
    expect(moved.map((k) => `${k.dimension}:${k.value}`).sort()).toEqual(['city:Lahore', 'city:Sialkot']);
  });
});

describe(medianDays.name, () => {
  const histogram = (pairs: [number, number][]) => new Map(pairs.map(([days, n]) => [String(days), { ...zeroCounts(), completed: n }]));

  it('is the middle value, or the mean of the middle two', () => {
    expect(medianDays(histogram([[3, 1], [10, 1], [40, 1]]))).toBe(10);
    expect(medianDays(histogram([[3, 1], [10, 1], [11, 1], [40, 1]]))).toBe(10.5);
    expect(medianDays(histogram([[5, 4], [9, 1]]))).toBe(5);
  });

  it('is empty when nobody completed', () => {
    expect(medianDays(undefined)).toBeNull();
    expect(medianDays(histogram([[2, 0]]))).toBeNull();
  });
});
