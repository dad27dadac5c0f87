import { Injectable } from '@nestjs/common';
import { DataSource, SelectQueryBuilder } from 'typeorm';
import { NotFoundError } from '../common/domain-error';
import { Course } from '../courses/course.entity';
import { CoursesService } from '../courses/courses.service';
import { EnrollmentsService } from '../enrollments/enrollments.service';
import { QuizzesService } from '../quizzes/quizzes.service';
import type { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { Cohort, CohortMember } from './entities/cohort.entity';
import { CohortEnrolment } from './entities/cohort-enrolment.entity';
import { ExportOutcome, MILESTONES } from './entities/export-outcome.entity';
import { ProgrammeOutcomeStat, ProgrammeQuizStat, ProgrammeStat } from './entities/programme-stats.entity';
import { ProfileValues } from './profile-fields';
import { ProfilesService } from './profiles.service';
import { ProgrammesService } from './programmes.service';
import { OutcomesService } from './outcomes.service';
import { factState, outcomeState, ProgrammeStatsService } from './stats/programme-stats.service';
import { addToSummary, BREAKDOWNS, Breakdown, Counts, COUNT_FIELDS, Dimension, emptySummary, medianDays, PROGRAMME_SCOPE, Scope, Summary, summarise, Tally, zeroCounts } from './stats/tally';
import { WeekRange } from './stats/weeks';

/** What a report is about: a whole programme, one cohort, or one course across a programme's cohorts. */
export type ReportScope =
  | { kind: 'programme'; programmeId: number }
  | { kind: 'cohort'; programmeId: number; cohortId: number }
  | { kind: 'course'; programmeId: number; courseId: number };

export interface BreakdownRow extends Counts {
  value: string;
  rate: number | null;
}

export interface AtRiskLearner {
  userId: number;
  name: string;
  email: string;
  cohortId: number;
  /** Courses not completed (for a course report: that course). */
  openCourses: number;
  lastActivityAt: Date;
  idleDays: number;
}

export interface Report {
  range: WeekRange;
  totals: Counts;
  completionRate: number | null;
  medianDays: number | null;
  funnel: { stage: 'enrolled' | 'started' | 'halfway' | 'completed' | 'certified'; count: number; percent: number | null }[];
  weekly: { week: number; enrolled: number; completions: number }[];
  breakdowns: Record<Breakdown, BreakdownRow[]>;
  quizzes: { quizId: number; attempted: number; passed: number; rate: number | null }[];
  outcomes: { milestone: string; recorded: number; verified: number }[] | null;
  atRisk: { days: number; count: number; learners: AtRiskLearner[] };
}

const DAY_MS = 86_400_000;
export const AT_RISK_LIST_LIMIT = 50;

/** COUNT(*) on the index; TypeORM's getCount() counts DISTINCT ids, which sorts them all first. */
async function countOf<T extends object>(query: SelectQueryBuilder<T>): Promise<number> {
  const row = await query.clone().select('COUNT(*)', 'n').getRawOne<{ n: string | number }>();
  return Number(row?.n ?? 0);
}

/** Where a report's figures are kept among the counters. */
export function scopeOf(scope: ReportScope): Scope {
  if (scope.kind === 'cohort') return { cohortId: scope.cohortId, courseId: 0 };
  if (scope.kind === 'course') return { cohortId: 0, courseId: scope.courseId };
  return PROGRAMME_SCOPE;
}

export function rate(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part * 1000) / whole) / 10 : null;
}

/**
 * The read side of programme reporting. Every report reads the stored counters of its scope.
 * Two slower ways to the same figures prove them right: adding up the cohort enrolment rows,
 * and recounting from the learning records themselves.
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly stats: ProgrammeStatsService,
    private readonly programmes: ProgrammesService,
    private readonly enrollments: EnrollmentsService,
    private readonly courses: CoursesService,
    private readonly quizzes: QuizzesService,
    private readonly profiles: ProfilesService,
    private readonly outcomes: OutcomesService,
    private readonly users: UsersService,
  ) {}

  async report(scope: ReportScope, range: WeekRange, atRiskDays: number, now: Date, atRiskLimit = AT_RISK_LIST_LIMIT): Promise<Report> {
    const [summary, atRisk] = await Promise.all([this.summary(scope, range), this.atRisk(scope, atRiskDays, now, atRiskLimit)]);
    return { ...buildReport(summary, range, scope.kind !== 'course'), atRisk };
  }

  summary(scope: ReportScope, range: WeekRange): Promise<Summary> {
    return this.counterSummary(scope, range);
  }

  // ---- from the stored counters ------------------------------------------------------------

  private inWeeks<T extends object>(query: SelectQueryBuilder<T>, alias: string, range: WeekRange): SelectQueryBuilder<T> {
    if (range.from !== null) query.andWhere(`${alias}.week >= :from`, { from: range.from });
    if (range.to !== null) query.andWhere(`${alias}.week <= :to`, { to: range.to });
    return query;
  }

  async counterSummary(reportScope: ReportScope, range: WeekRange): Promise<Summary> {
    const summary = emptySummary();
    const { programmeId } = reportScope;
    const { cohortId, courseId } = scopeOf(reportScope);
    const sums = COUNT_FIELDS.map((field) => `SUM(s.${field}) AS ${field}`).join(', ');
    const stats = () =>
      this.dataSource
        .getRepository(ProgrammeStat)
        .createQueryBuilder('s')
        .where('s.programme_id = :programmeId AND s.cohort_id = :cohortId AND s.course_id = :courseId', { programmeId, cohortId, courseId });
    const quizzes = this.dataSource
      .getRepository(ProgrammeQuizStat)
      .createQueryBuilder('s')
      .select('s.quiz_id', 'quizId')
      .addSelect('SUM(s.attempted)', 'attempted')
      .addSelect('SUM(s.passed)', 'passed')
      .where('s.programme_id = :programmeId AND s.cohort_id = :cohortId', { programmeId, cohortId });
    if (courseId) quizzes.andWhere('s.course_id = :courseId', { courseId });
    const [byValue, weekly, quizRows, outcomes] = await Promise.all([
      this.inWeeks(stats().select('s.dimension', 'dimension').addSelect('s.value', 'value').addSelect(sums), 's', range)
        .groupBy('s.dimension')
        .addGroupBy('s.value')
        .getRawMany(),
      this.inWeeks(
        stats().select('s.week', 'week').addSelect('s.enrolled', 'enrolled').addSelect('s.completions', 'completions').andWhere('s.dimension = :all AND s.value = :empty', { all: 'all', empty: '' }),
        's',
        range,
      ).getRawMany(),
      this.inWeeks(quizzes, 's', range).groupBy('s.quiz_id').getRawMany(),
      courseId
        ? Promise.resolve([])
        : this.inWeeks(
            this.dataSource
              .getRepository(ProgrammeOutcomeStat)
              .createQueryBuilder('s')
              .select('s.milestone', 'milestone')
              .addSelect('SUM(s.recorded)', 'recorded')
              .addSelect('SUM(s.verified)', 'verified')
              .where('s.programme_id = :programmeId AND s.cohort_id = :cohortId', { programmeId, cohortId }),
            's',
            range,
          )
            .groupBy('s.milestone')
            .getRawMany(),
    ]);
    for (const row of byValue) addToSummary(summary, row.dimension as Dimension, String(row.value), row);
    for (const row of weekly) summary.weekly.set(Number(row.week), { enrolled: Number(row.enrolled), completions: Number(row.completions) });
    for (const row of quizRows) summary.quizzes.set(Number(row.quizId), { attempted: Number(row.attempted), passed: Number(row.passed) });
    for (const row of outcomes) summary.outcomes.set(String(row.milestone), { recorded: Number(row.recorded), verified: Number(row.verified) });
    return summary;
  }

  /** Headline figures (all dates) for the overview, one query for all the programmes. */
  async headlines(programmeIds: number[]): Promise<Map<number, Counts>> {
    if (programmeIds.length === 0) return new Map();
    const rows = await this.dataSource
      .getRepository(ProgrammeStat)
      .createQueryBuilder('s')
      .select('s.programme_id', 'programmeId')
      .addSelect(COUNT_FIELDS.map((field) => `SUM(s.${field}) AS ${field}`).join(', '))
      .where('s.programme_id IN (:...programmeIds) AND s.cohort_id = 0 AND s.course_id = 0 AND s.dimension = :all', { programmeIds, all: 'all' })
      .groupBy('s.programme_id')
      .getRawMany();
    return new Map(
      rows.map((row) => {
        const counts = zeroCounts();
        for (const field of COUNT_FIELDS) counts[field] = Number(row[field] ?? 0);
        return [Number(row.programmeId), counts];
      }),
    );
  }

  // ---- from the cohort enrolment rows ------------------------------------------------------

  private rowsQuery(scope: ReportScope) {
    const query = this.dataSource.getRepository(CohortEnrolment).createQueryBuilder('f');
    if (scope.kind === 'cohort') query.where('f.cohort_id = :cohortId', { cohortId: scope.cohortId });
    else if (scope.kind === 'course') query.where('f.programme_id = :programmeId AND f.course_id = :courseId', { programmeId: scope.programmeId, courseId: scope.courseId });
    else query.where('f.programme_id = :programmeId', { programmeId: scope.programmeId });
    return query;
  }

  async rowSummary(scope: ReportScope, range: WeekRange): Promise<Summary> {
    const tally = new Tally();
    const query = this.rowsQuery(scope).select([
      'f.id',
      'f.cohortId',
      'f.courseId',
      'f.enrolledWeek',
      'f.started',
      'f.halfway',
      'f.completedWeek',
      'f.daysToComplete',
      'f.certified',
      'f.sector',
      'f.province',
      'f.gender',
      'f.city',
      'f.quizState',
    ]);
    if (range.from !== null) query.andWhere('(f.enrolled_week >= :from OR f.completed_week >= :from)', { from: range.from });
    if (range.to !== null) query.andWhere('(f.enrolled_week <= :to OR f.completed_week <= :to)', { to: range.to });
    for (const fact of await query.getMany()) tally.addEnrolment(factState(fact));
    if (scope.kind !== 'course') {
      const members = scope.kind === 'cohort' ? { cohortId: scope.cohortId } : { programmeId: scope.programmeId };
      for (const { outcome, cohortId } of await this.stats.memberOutcomes(members)) tally.addOutcome(outcomeState(outcome), cohortId);
    }
    return summarise(tally, range, scopeOf(scope));
  }

  // ---- from the learning records -----------------------------------------------------------

  /**
   * A programme's figures computed from scratch: every member's enrolments, quiz standings,
   * certificates, profile and outcomes, read the way the counters were fed. Slow (a few queries
   * per enrolment); it exists to prove the counters right.
   */
  async recount(scope: ReportScope, range: WeekRange): Promise<Summary> {
    const tally = new Tally();
    const manager = this.dataSource.manager;
    const { programmeId } = scope;
    for (const cohort of await this.programmes.cohortsOf(programmeId)) {
      if (scope.kind === 'cohort' && cohort.id !== scope.cohortId) continue;
      const courses = (await this.programmes.cohortCourses(cohort.id)).filter((c) => scope.kind !== 'course' || c.id === scope.courseId);
      const linked = new Map(
        (await manager.getRepository(CohortEnrolment).findBy({ cohortId: cohort.id })).map((f) => [`${f.userId}:${f.courseId}`, f.enrolledAt]),
      );
      for (const member of await manager.getRepository(CohortMember).findBy({ cohortId: cohort.id })) {
        for (const course of courses) {
          const enrollment = await this.enrollments.findEnrollment(member.userId, course.id);
          if (!enrollment) continue;
          const enrolledAt = linked.get(`${member.userId}:${course.id}`) ?? member.joinedAt;
          const state = await this.stats.readState(manager, { programmeId, cohortId: cohort.id, courseId: course.id, userId: member.userId, enrolledAt }, enrollment);
          tally.addEnrolment(factState(state));
        }
        for (const outcome of await manager.getRepository(ExportOutcome).findBy({ userId: member.userId })) tally.addOutcome(outcomeState(outcome), cohort.id);
      }
    }
    return summarise(tally, range, scopeOf(scope));
  }

  // ---- at risk -----------------------------------------------------------------------------

  /** Learners with courses still open and no activity for `days` days, most recently active first. */
  async atRisk(scope: ReportScope, days: number, now: Date, limit: number): Promise<Report['atRisk']> {
    const cutoff = new Date(now.getTime() - days * DAY_MS);
    const idle = (last: Date) => Math.floor((now.getTime() - last.getTime()) / DAY_MS);
    if (scope.kind === 'course') {
      const query = this.rowsQuery(scope).andWhere('f.completed_at IS NULL').andWhere('f.last_activity_at < :cutoff', { cutoff });
      const [count, rows] = await Promise.all([
        countOf(query),
        // The order of idx_cohort_enrolments_open, read backwards: no sort of the whole match.
        limit > 0 ? query.clone().orderBy('f.last_activity_at', 'DESC').addOrderBy('f.id', 'DESC').limit(limit).getMany() : Promise.resolve([]),
      ]);
      const users = await this.userMap(rows.map((r) => r.userId));
      return {
        days,
        count,
        learners: rows.map((r) => ({
          userId: r.userId,
          name: users.get(r.userId)?.name ?? '',
          email: users.get(r.userId)?.email ?? '',
          cohortId: r.cohortId,
          openCourses: 1,
          lastActivityAt: r.lastActivityAt,
          idleDays: idle(r.lastActivityAt),
        })),
      };
    }
    const query = this.dataSource
      .getRepository(CohortMember)
      .createQueryBuilder('m')
      .where(scope.kind === 'cohort' ? 'm.cohort_id = :cohortId' : 'm.programme_id = :programmeId', scope)
      .andWhere('m.last_activity_at < :cutoff', { cutoff })
      .andWhere('m.open_courses > 0');
    const [count, rows] = await Promise.all([
      countOf(query),
      // The order of idx_cohort_members_risk, read backwards: no sort of the whole match.
      limit > 0
        ? query.clone().orderBy('m.last_activity_at', 'DESC').addOrderBy('m.open_courses', 'DESC').addOrderBy('m.id', 'DESC').limit(limit).getMany()
        : Promise.resolve([]),
    ]);
    const users = await this.userMap(rows.map((r) => r.userId));
    return {
      days,
      count,
      learners: rows.map((m) => ({
        userId: m.userId,
        name: users.get(m.userId)?.name ?? '',
        email: users.get(m.userId)?.email ?? '',
        cohortId: m.cohortId,
        openCourses: m.openCourses,
        lastActivityAt: m.lastActivityAt,
        idleDays: idle(m.lastActivityAt),
      })),
    };
  }

  private async userMap(ids: number[]): Promise<Map<number, User>> {
    return new Map((await this.users.findByIds(ids)).map((u) => [u.id, u]));
  }

  // ---- one learner -------------------------------------------------------------------------

  /** A learner's drill-down within a cohort: progress per lesson, quiz attempts and outcomes. */
  async learnerDetail(cohort: Cohort, userId: number) {
    const member = await this.dataSource.getRepository(CohortMember).findOneBy({ cohortId: cohort.id, userId });
    if (!member) throw new NotFoundError('programmes.member_not_found');
    const user = await this.users.getById(userId);
    const facts = new Map((await this.dataSource.getRepository(CohortEnrolment).findBy({ cohortId: cohort.id, userId })).map((f) => [f.courseId, f]));
    const taught = await this.programmes.cohortCourses(cohort.id);
    const courses = await this.courseDetails(taught, userId, facts);
    const profile: ProfileValues = await this.profiles.find(userId);
    return { user: { id: user.id, name: user.name, email: user.email }, member, profile, courses, outcomes: await this.outcomes.listFor(userId) };
  }

  /** Lessons and quiz attempts per course, in a fixed number of queries whatever the number of courses. */
  private async courseDetails(courses: Course[], userId: number, facts: Map<number, CohortEnrolment>) {
    const courseIds = courses.map((c) => c.id);
    const [enrollments, structures, quizLists] = await Promise.all([
      this.enrollments.findEnrollmentsOf(userId, courseIds),
      this.courses.structuresByIds(courseIds),
      this.quizzes.listQuizzesForCourses(courseIds),
    ]);
    const allQuizzes = [...quizLists.values()].flat();
    const [completed, standings, attempts] = await Promise.all([
      this.enrollments.completedLessons([...enrollments.values()].map((e) => e.id)),
      this.quizzes.standings(userId, allQuizzes),
      this.quizzes.listAttemptsFor(userId, allQuizzes.map((q) => q.id)),
    ]);
    return courses.map((course) => {
      const enrollment = enrollments.get(course.id) ?? null;
      const done = enrollment ? (completed.get(enrollment.id) ?? new Set<number>()) : new Set<number>();
      return {
        course,
        enrollment,
        certified: !!facts.get(course.id)?.certified,
        modules: (structures.get(course.id)?.modules ?? []).map((m) => ({ id: m.id, title: m.title, required: m.required, done: done.has(m.id) })),
        quizzes: (quizLists.get(course.id) ?? []).map((quiz) => ({
          quiz,
          passed: !!standings.get(quiz.id)?.passed,
          attempts: attempts
            .filter((a) => a.quizId === quiz.id)
            .sort((a, b) => a.number - b.number)
            .map((a) => ({ number: a.number, status: a.status, passed: !!a.passed, closedAt: a.closedAt, percent: a.scorePermille === null ? null : a.scorePermille / 10 })),
        })),
      };
    });
  }
}

/** Turns summed counters into the report's figures: rates, the median, the funnel, sorted breakdowns. */
export function buildReport(summary: Summary, range: WeekRange, withOutcomes: boolean): Omit<Report, 'atRisk'> {
  const totals = summary.byValue.get('all')?.get('') ?? zeroCounts();
  const stages = ['enrolled', 'started', 'halfway', 'completed', 'certified'] as const;
  const breakdowns = {} as Record<Breakdown, BreakdownRow[]>;
  for (const dimension of BREAKDOWNS) {
    breakdowns[dimension] = [...(summary.byValue.get(dimension) ?? new Map<string, Counts>()).entries()]
      .filter(([, counts]) => counts.enrolled > 0)
      .map(([value, counts]) => ({ value, ...counts, rate: rate(counts.completed, counts.enrolled) }))
      .sort((a, b) => b.enrolled - a.enrolled || a.value.localeCompare(b.value));
  }
  return {
    range,
    totals,
    completionRate: rate(totals.completed, totals.enrolled),
    medianDays: medianDays(summary.byValue.get('days')),
    funnel: stages.map((stage) => ({ stage, count: totals[stage], percent: rate(totals[stage], totals.enrolled) })),
    weekly: [...summary.weekly.entries()]
      .filter(([, w]) => w.enrolled !== 0 || w.completions !== 0)
      .map(([week, w]) => ({ week, ...w }))
      .sort((a, b) => a.week - b.week),
    breakdowns,
    quizzes: [...summary.quizzes.entries()]
      .filter(([, q]) => q.attempted > 0)
      .map(([quizId, q]) => ({ quizId, ...q, rate: rate(q.passed, q.attempted) }))
      .sort((a, b) => a.quizId - b.quizId),
    outcomes: withOutcomes
      ? MILESTONES.map((milestone) => ({ milestone, recorded: summary.outcomes.get(milestone)?.recorded ?? 0, verified: summary.outcomes.get(milestone)?.verified ?? 0 }))
      : null,
  };
}

