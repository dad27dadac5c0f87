import type { QuizState } from '../entities/cohort-enrolment.entity';
import { inRange, WeekRange, weekOfIsoDate } from './weeks';

/**
 * What one cohort enrolment or one learner's outcome adds to its programme's counters. The
 * same functions feed the stored counters (by difference, on every change), the cohort and
 * course reports (from the enrolment rows) and the recount that checks both.
 */
export interface Counts {
  enrolled: number;
  started: number;
  halfway: number;
  completed: number;
  certified: number;
  /** Completions in the week itself (the week of completion, not of enrolment). */
  completions: number;
}

export const COUNT_FIELDS = ['enrolled', 'started', 'halfway', 'completed', 'certified', 'completions'] as const;
export const BREAKDOWNS = ['course', 'cohort', 'sector', 'province', 'gender', 'city'] as const;
export type Breakdown = (typeof BREAKDOWNS)[number];
export type Dimension = 'all' | Breakdown | 'days';

export interface EnrolmentState {
  cohortId: number;
  courseId: number;
  enrolledWeek: number;
  started: boolean;
  halfway: boolean;
  completedWeek: number | null;
  daysToComplete: number | null;
  certified: boolean;
  sector: string | null;
  province: string | null;
  gender: string | null;
  city: string | null;
  quizState: QuizState;
}

export interface OutcomeState {
  milestone: string;
  achievedOn: string;
  verified: boolean;
}

/**
 * Which figures: a whole programme (both 0), one cohort (cohortId), or one course across the
 * programme's cohorts (courseId). Every change is counted in all three, so each dashboard
 * reads only its own few rows.
 */
export interface Scope {
  cohortId: number;
  courseId: number;
}

export const PROGRAMME_SCOPE: Scope = { cohortId: 0, courseId: 0 };

export const zeroCounts = (): Counts => ({ enrolled: 0, started: 0, halfway: 0, completed: 0, certified: 0, completions: 0 });

const SEP = '\u0000';

/** Counters keyed by (dimension, value, week), (quiz, week) and (milestone, week), for one programme. */
export class Tally {
  readonly stats = new Map<string, Counts>();
  readonly quizzes = new Map<string, { attempted: number; passed: number }>();
  readonly outcomes = new Map<string, { recorded: number; verified: number }>();

  static statKey(scope: Scope, dimension: Dimension, value: string, week: number): string {
    return [scope.cohortId, scope.courseId, dimension, value, week].join(SEP);
  }

  static parseStatKey(key: string): Scope & { dimension: Dimension; value: string; week: number } {
    const [cohortId, courseId, dimension, value, week] = key.split(SEP);
    return { cohortId: Number(cohortId), courseId: Number(courseId), dimension: dimension as Dimension, value, week: Number(week) };
  }

  /** Quizzes: (cohort or 0, course, quiz, week); outcomes: (cohort or 0, 0, milestone, week). */
  static parsePairKey(key: string): Scope & { id: string; week: number } {
    const [cohortId, courseId, id, week] = key.split(SEP);
    return { cohortId: Number(cohortId), courseId: Number(courseId), id, week: Number(week) };
  }

  addStat(scope: Scope, dimension: Dimension, value: string, week: number, counts: Partial<Counts>, sign = 1): void {
    const key = Tally.statKey(scope, dimension, value, week);
    const entry = this.stats.get(key) ?? zeroCounts();
    for (const field of COUNT_FIELDS) entry[field] += sign * (counts[field] ?? 0);
    this.stats.set(key, entry);
  }

  addEnrolment(state: EnrolmentState, sign = 1): void {
    const completed = state.completedWeek !== null;
    const counts: Partial<Counts> = {
      enrolled: 1,
      started: state.started ? 1 : 0,
      halfway: state.halfway ? 1 : 0,
      completed: completed ? 1 : 0,
      certified: state.certified ? 1 : 0,
    };
    const values: Record<'all' | Breakdown, string> = {
      all: '',
      course: String(state.courseId),
      cohort: String(state.cohortId),
      sector: state.sector ?? '',
      province: state.province ?? '',
      gender: state.gender ?? '',
      city: state.city ?? '',
    };
    const scopes: [Scope, Breakdown | null][] = [
      [PROGRAMME_SCOPE, null],
      [{ cohortId: state.cohortId, courseId: 0 }, 'cohort'],
      [{ cohortId: 0, courseId: state.courseId }, 'course'],
    ];
    for (const [scope, itself] of scopes) {
      for (const [dimension, value] of Object.entries(values)) {
        // A cohort's figures need no "by cohort" breakdown, nor a course's a "by course" one.
        if (dimension !== itself) this.addStat(scope, dimension as Dimension, value, state.enrolledWeek, counts, sign);
      }
      if (completed) {
        this.addStat(scope, 'all', '', state.completedWeek as number, { completions: 1 }, sign);
        this.addStat(scope, 'days', String(state.daysToComplete ?? 0), state.enrolledWeek, { completed: 1 }, sign);
      }
    }
    // A quiz belongs to one course: programme rows (cohort 0) also serve the course's figures.
    for (const cohortId of [0, state.cohortId]) {
      for (const [quizId, standing] of Object.entries(state.quizState)) {
        const key = [cohortId, state.courseId, quizId, state.enrolledWeek].join(SEP);
        const entry = this.quizzes.get(key) ?? { attempted: 0, passed: 0 };
        entry.attempted += sign;
        if (standing === 'p') entry.passed += sign;
        this.quizzes.set(key, entry);
      }
    }
  }

  /** A member's outcome counts for the programme and for the member's cohort. */
  addOutcome(outcome: OutcomeState, cohortId: number, sign = 1): void {
    const week = weekOfIsoDate(outcome.achievedOn);
    if (week === null) return;
    for (const scope of [0, cohortId]) {
      const key = [scope, 0, outcome.milestone, week].join(SEP);
      const entry = this.outcomes.get(key) ?? { recorded: 0, verified: 0 };
      entry.recorded += sign;
      if (outcome.verified) entry.verified += sign;
      this.outcomes.set(key, entry);
    }
  }

  /** Drops entries that net to zero, so a difference lists only what changed. */
  withoutZeros(): this {
    for (const map of [this.stats, this.quizzes, this.outcomes] as Map<string, Record<string, number>>[]) {
      for (const [key, counts] of map) if (Object.values(counts).every((n) => n === 0)) map.delete(key);
    }
    return this;
  }

  get isEmpty(): boolean {
    return this.stats.size === 0 && this.quizzes.size === 0 && this.outcomes.size === 0;
  }
}

/** A report's figures: sums over the weeks in range, the weekly series, quizzes and outcomes. */
export interface Summary {
  byValue: Map<Dimension, Map<string, Counts>>;
  weekly: Map<number, { enrolled: number; completions: number }>;
  quizzes: Map<number, { attempted: number; passed: number }>;
  outcomes: Map<string, { recorded: number; verified: number }>;
}

export function emptySummary(): Summary {
  return { byValue: new Map(), weekly: new Map(), quizzes: new Map(), outcomes: new Map() };
}

export function addToSummary(summary: Summary, dimension: Dimension, value: string, counts: Partial<Counts>): void {
  const values = summary.byValue.get(dimension) ?? new Map<string, Counts>();
  const entry = values.get(value) ?? zeroCounts();
  for (const field of COUNT_FIELDS) entry[field] += Number(counts[field] ?? 0);
  values.set(value, entry);
  summary.byValue.set(dimension, values);
}

/** The summary the stored counters give for a scope, computed from a tally (recounts, and the tests). */
export function summarise(tally: Tally, range: WeekRange, scope: Scope = PROGRAMME_SCOPE): Summary {
  const summary = emptySummary();
  const inScope = (key: Scope) => key.cohortId === scope.cohortId && key.courseId === scope.courseId;
  for (const [key, counts] of tally.stats) {
    const { dimension, value, week, ...at } = Tally.parseStatKey(key);
    if (!inScope(at) || !inRange(week, range)) continue;
    addToSummary(summary, dimension, value, counts);
    if (dimension === 'all') {
      const entry = summary.weekly.get(week) ?? { enrolled: 0, completions: 0 };
      entry.enrolled += counts.enrolled;
      entry.completions += counts.completions;
      summary.weekly.set(week, entry);
    }
  }
  for (const [key, counts] of tally.quizzes) {
    const { id, week, cohortId, courseId } = Tally.parsePairKey(key);
    // Quiz rows carry their course: a course's figures are the programme's rows of that course.
    if (cohortId !== scope.cohortId || (scope.courseId !== 0 && courseId !== scope.courseId) || !inRange(week, range)) continue;
    const entry = summary.quizzes.get(Number(id)) ?? { attempted: 0, passed: 0 };
    entry.attempted += counts.attempted;
    entry.passed += counts.passed;
    summary.quizzes.set(Number(id), entry);
  }
  for (const [key, counts] of tally.outcomes) {
    const { id, week, cohortId } = Tally.parsePairKey(key);
    // Outcomes belong to learners, not courses: a course's figures have none.
    if (scope.courseId !== 0 || cohortId !== scope.cohortId || !inRange(week, range)) continue;
    const entry = summary.outcomes.get(id) ?? { recorded: 0, verified: 0 };
    entry.recorded += counts.recorded;
    entry.verified += counts.verified;
    summary.outcomes.set(id, entry);
  }
  return summary;
}

/** Median of whole days to complete, from the per-day counts (an even count averages the middle two). */
export function medianDays(histogram: Map<string, Counts> | undefined): number | null {
  const bins = [...(histogram ?? new Map<string, Counts>()).entries()]
    .map(([days, counts]) => ({ days: Number(days), count: counts.completed }))
    .filter((bin) => bin.count > 0)
    .sort((a, b) => a.days - b.days);
  const total = bins.reduce((sum, bin) => sum + bin.count, 0);
  if (total === 0) return null;
  const nth = (index: number) => {
    let seen = 0;
    for (const bin of bins) {
      seen += bin.count;
      if (index < seen) return bin.days;
    }
    return bins[bins.length - 1].days;
  };
  return total % 2 === 1 ? nth((total - 1) / 2) : (nth(total / 2 - 1) + nth(total / 2)) / 2;
}
