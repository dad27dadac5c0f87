import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager, FindOperator, In, MoreThan } from 'typeorm';
import { CertificatesService } from '../../certificates/certificates.service';
import { TransactionRunner } from '../../database/transaction-runner';
import { Enrollment } from '../../enrollments/enrollment.entity';
import { EnrollmentsService } from '../../enrollments/enrollments.service';
import { QuizzesService } from '../../quizzes/quizzes.service';
import { CohortMember } from '../entities/cohort.entity';
import { CohortEnrolment, QuizState } from '../entities/cohort-enrolment.entity';
import { ExportOutcome } from '../entities/export-outcome.entity';
import { LearnerProfile } from '../entities/learner-profile.entity';
import { ProgrammeOutcomeStat, ProgrammeQuizStat, ProgrammeStat } from '../entities/programme-stats.entity';
import { COUNT_FIELDS, EnrolmentState, OutcomeState, Tally } from './tally';
import { daysBetween, weekOf } from './weeks';

/** Where a course reaches a learner through a cohort. */
export interface EnrolmentLink {
  programmeId: number;
  cohortId: number;
  courseId: number;
  userId: number;
  enrolledAt: Date;
}

export type FactFields = Omit<CohortEnrolment, 'id' | 'cohort' | 'enrollment'>;

export interface LinkOptions {
  profile?: LearnerProfile | null;
  /** The enrolment was created in this same transaction: it has no quiz attempts or certificate to read. */
  fresh?: boolean;
  /** Collects the counts instead of writing them, for a caller that applies one sum at the end (bulk enrolment). */
  tally?: Tally;
}

const INSERT_BATCH = 500;

export function factState(fact: Pick<CohortEnrolment, keyof EnrolmentState>): EnrolmentState {
  return {
    cohortId: fact.cohortId,
    courseId: fact.courseId,
    enrolledWeek: fact.enrolledWeek,
    started: !!fact.started,
    halfway: !!fact.halfway,
    completedWeek: fact.completedWeek,
    daysToComplete: fact.daysToComplete,
    certified: !!fact.certified,
    sector: fact.sector,
    province: fact.province,
    gender: fact.gender,
    city: fact.city,
    quizState: fact.quizState ?? {},
  };
}

export function outcomeState(outcome: ExportOutcome): OutcomeState {
  return { milestone: outcome.milestone, achievedOn: outcome.achievedOn, verified: outcome.verifiedAt !== null };
}

/**
 * Keeps the programme counters (programme_stats and friends) and the cohort enrolment rows
 * behind them exact. Every change is made as "take the old contribution away, add the new
 * one", in the transaction that made the change, so the counters always equal a recount.
 */
@Injectable()
export class ProgrammeStatsService implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly enrollments: EnrollmentsService,
    private readonly quizzes: QuizzesService,
    private readonly certificates: CertificatesService,
  ) {}

  /**
   * Both sources announce their changes inside the transaction that makes them: learning
   * activity (enrollments) and certificates issued, revoked or re-issued (certificates), so the
   * counters move in the same commit and always equal a recount.
   */
  onModuleInit(): void {
    this.enrollments.onActivity((manager, enrollments) => this.refreshEnrolments(manager, enrollments));
    this.certificates.onCertificateChanged((manager, change) => this.certificateChanged(manager, change.enrollmentId));
  }

  // ---- reading the sources -----------------------------------------------------------------

  /**
   * Where the learner stands in one course of a cohort, read from the enrolment, quizzes,
   * certificate and profile. `lockCertificate` (a new row, see link) reads the certificate with
   * a shared lock.
   */
  async readState(
    manager: EntityManager,
    link: EnrolmentLink,
    enrollment: Enrollment,
    profile?: LearnerProfile | null,
    fresh = false,
    lockCertificate = false,
  ): Promise<FactFields> {
    if (profile === undefined) profile = await manager.getRepository(LearnerProfile).findOneBy({ userId: link.userId });
    const quizState: QuizState = {};
    let certified = false;
    if (!fresh) {
      const quizzes = await this.quizzes.listCourseQuizzes(link.courseId, manager);
      for (const [quizId, standing] of await this.quizzes.standings(link.userId, quizzes, manager)) {
        if (standing.gradePermille !== null) quizState[String(quizId)] = standing.passed ? 'p' : 'a';
      }
      // "Certified" counts issued certificates, asked of the certificates module.
      certified = (await this.certificates.issuedEnrollmentIds(manager, [enrollment.id], lockCertificate)).has(enrollment.id);
    }
    const completedAt = enrollment.completedAt;
    const lastActivityAt = enrollment.lastActivityAt > link.enrolledAt ? enrollment.lastActivityAt : link.enrolledAt;
    return {
      programmeId: link.programmeId,
      cohortId: link.cohortId,
      courseId: link.courseId,
      userId: link.userId,
      enrollmentId: enrollment.id,
      enrolledAt: link.enrolledAt,
      enrolledWeek: weekOf(link.enrolledAt),
      progressPercent: completedAt ? 100 : enrollment.progressPercent,
      started: enrollment.lastModuleId !== null || enrollment.progressPercent > 0 || completedAt !== null || Object.keys(quizState).length > 0,
      halfway: enrollment.progressPercent >= 50 || completedAt !== null,
      completedAt,
      completedWeek: completedAt ? weekOf(completedAt) : null,
      daysToComplete: completedAt ? daysBetween(link.enrolledAt, completedAt) : null,
      certified: certified && completedAt !== null,
      lastActivityAt,
      sector: profile?.sector ?? null,
      province: profile?.province ?? null,
      gender: profile?.gender ?? null,
      city: profile?.city ?? null,
      quizState,
    };
  }

  // ---- changes -----------------------------------------------------------------------------

  /** A course reached a learner through a cohort: its row is written and counted. */
  async link(manager: EntityManager, link: EnrolmentLink, enrollment: Enrollment, options: LinkOptions = {}): Promise<CohortEnrolment> {
    // The certificate is read with a shared lock before the row exists: a certificate issued or
    // revoked meanwhile either commits first (and is seen) or waits for this row and updates it.
    const state = await this.readState(manager, link, enrollment, options.profile, options.fresh, true);
    const fact = await manager.getRepository(CohortEnrolment).save(manager.getRepository(CohortEnrolment).create(state));
    const tally = options.tally ?? new Tally();
    tally.addEnrolment(factState(fact));
    if (!options.tally) await this.apply(manager, link.programmeId, tally);
    return fact;
  }

  /** The learner left the cohort or the course left it: the rows stop counting. The enrolments stay. */
  async unlink(manager: EntityManager, facts: CohortEnrolment[]): Promise<void> {
    for (const fact of facts) {
      const tally = new Tally();
      tally.addEnrolment(factState(fact), -1);
      await this.apply(manager, fact.programmeId, tally);
    }
    if (facts.length) await manager.getRepository(CohortEnrolment).delete({ id: In(facts.map((f) => f.id)) });
  }

  /** After any learning activity on enrolments: every cohort row of them is re-read and recounted (one read when none has any). */
  async refreshEnrolments(manager: EntityManager, enrollments: Enrollment[]): Promise<void> {
    if (enrollments.length === 0) return;
    const facts = await this.lockFacts(manager, { enrollmentId: In(enrollments.map((e) => e.id)) });
    await this.refresh(manager, facts, new Map(enrollments.map((e) => [e.id, e])));
  }

  /** A certificate of the enrolment was issued, revoked or replaced: "certified" moves in the same transaction. */
  private async certificateChanged(manager: EntityManager, enrollmentId: number | null): Promise<void> {
    if (enrollmentId !== null) await this.refresh(manager, await this.lockFacts(manager, { enrollmentId }));
  }

  /** The learner's profile changed: the breakdowns move with it. */
  async refreshUser(manager: EntityManager, userId: number): Promise<void> {
    await this.refresh(manager, await this.lockFacts(manager, { userId }));
  }

  private lockFacts(manager: EntityManager, where: { enrollmentId: number | FindOperator<number> } | { userId: number }): Promise<CohortEnrolment[]> {
    // Two requests on one enrolment must not both take away the same old state: on MariaDB the
    // rows are read FOR UPDATE (the latest committed version); SQLite runs one writer at a time.
    return manager.getRepository(CohortEnrolment).find({
      where,
      order: { id: 'ASC' },
      ...(this.transactions.isSqlite ? {} : { lock: { mode: 'pessimistic_write' as const } }),
    });
  }

  private async refresh(manager: EntityManager, facts: CohortEnrolment[], known = new Map<number, Enrollment>()): Promise<void> {
    const members = new Set<string>();
    for (const fact of facts) {
      const enrollment = known.get(fact.enrollmentId) ?? (await this.enrollments.findEnrollment(fact.userId, fact.courseId, manager));
      if (!enrollment) continue;
      const state = await this.readState(manager, fact, enrollment);
      const tally = new Tally();
      tally.addEnrolment(factState(fact), -1);
      tally.addEnrolment(factState(state));
      await this.apply(manager, fact.programmeId, tally);
      await manager.getRepository(CohortEnrolment).update({ id: fact.id }, state);
      members.add(`${fact.cohortId}:${fact.userId}`);
    }
    for (const key of members) {
      const [cohortId, userId] = key.split(':').map(Number);
      await this.refreshMember(manager, cohortId, userId);
    }
  }

  /** The member's last activity (never before joining) and courses still open, for the at-risk list. */
  async refreshMember(manager: EntityManager, cohortId: number, userId: number): Promise<void> {
    const member = await manager.getRepository(CohortMember).findOneBy({ cohortId, userId });
    if (!member) return;
    const facts = await manager.getRepository(CohortEnrolment).find({ select: { lastActivityAt: true, completedAt: true }, where: { cohortId, userId } });
    const latest = facts.reduce((max, f) => (f.lastActivityAt > max ? f.lastActivityAt : max), member.joinedAt);
    const open = facts.filter((f) => f.completedAt === null).length;
    if (latest.getTime() !== member.lastActivityAt.getTime() || open !== member.openCourses) {
      await manager.getRepository(CohortMember).update({ id: member.id }, { lastActivityAt: latest, openCourses: open });
    }
  }

  /** A learner's outcomes count in every programme (and cohort) they are a member of. */
  async countOutcomes(manager: EntityManager, userId: number, before: OutcomeState[], after: OutcomeState[]): Promise<void> {
    const memberships = await manager.getRepository(CohortMember).findBy({ userId });
    for (const { programmeId, cohortId } of memberships) {
      const tally = new Tally();
      for (const outcome of before) tally.addOutcome(outcome, cohortId, -1);
      for (const outcome of after) tally.addOutcome(outcome, cohortId);
      await this.apply(manager, programmeId, tally);
    }
  }

  /** Joining (+1) or leaving (−1) a cohort brings the learner's outcomes along. */
  async countMemberOutcomes(manager: EntityManager, member: { programmeId: number; cohortId: number; userId: number }, sign: 1 | -1, into?: Tally): Promise<void> {
    const tally = into ?? new Tally();
    for (const outcome of await manager.getRepository(ExportOutcome).findBy({ userId: member.userId })) tally.addOutcome(outcomeState(outcome), member.cohortId, sign);
    if (!into) await this.apply(manager, member.programmeId, tally);
  }

  // ---- counters ----------------------------------------------------------------------------

  /** Adds a difference to the stored counters, in key order (two transactions never lock rows in opposite orders). */
  async apply(manager: EntityManager, programmeId: number, tally: Tally): Promise<void> {
    tally.withoutZeros();
    if (tally.isEmpty) return;
    const sorted = <T>(map: Map<string, T>) => [...map.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    await this.increment(
      manager,
      'programme_stats',
      ['programme_id', 'cohort_id', 'course_id', 'dimension', 'value', 'week'],
      [...COUNT_FIELDS],
      sorted(tally.stats).map(([key, counts]) => {
        const k = Tally.parseStatKey(key);
        return [programmeId, k.cohortId, k.courseId, k.dimension, k.value, k.week, ...COUNT_FIELDS.map((field) => counts[field])];
      }),
    );
    await this.increment(
      manager,
      'programme_quiz_stats',
      ['programme_id', 'cohort_id', 'course_id', 'quiz_id', 'week'],
      ['attempted', 'passed'],
      sorted(tally.quizzes).map(([key, counts]) => {
        const k = Tally.parsePairKey(key);
        return [programmeId, k.cohortId, k.courseId, Number(k.id), k.week, counts.attempted, counts.passed];
      }),
    );
    await this.increment(
      manager,
      'programme_outcome_stats',
      ['programme_id', 'cohort_id', 'milestone', 'week'],
      ['recorded', 'verified'],
      sorted(tally.outcomes).map(([key, counts]) => {
        const k = Tally.parsePairKey(key);
        return [programmeId, k.cohortId, k.id, k.week, counts.recorded, counts.verified];
      }),
    );
  }

  /** INSERT … or add to the row already there, in one statement (no read-then-write race). */
  private async increment(manager: EntityManager, table: string, keys: string[], counters: string[], rows: (string | number)[][]): Promise<void> {
    if (rows.length === 0) return;
    const columns = [...keys, ...counters];
    const placeholders = rows.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ');
    const update = this.transactions.isSqlite
      ? `ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${counters.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`
      : `ON DUPLICATE KEY UPDATE ${counters.map((c) => `${c} = ${c} + VALUES(${c})`).join(', ')}`;
    await manager.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${placeholders} ${update}`, rows.flat());
  }

  // ---- rebuilding --------------------------------------------------------------------------

  /** The outcomes of a programme's (or a cohort's) members, each with the member's cohort. */
  async memberOutcomes(where: { programmeId: number } | { cohortId: number }): Promise<{ outcome: ExportOutcome; cohortId: number }[]> {
    const query = this.dataSource
      .getRepository(ExportOutcome)
      .createQueryBuilder('o')
      .innerJoin(CohortMember, 'm', 'm.user_id = o.user_id')
      .addSelect('m.cohort_id', 'member_cohort_id');
    if ('programmeId' in where) query.where('m.programme_id = :programmeId', where);
    else query.where('m.cohort_id = :cohortId', where);
    const { entities, raw } = await query.getRawAndEntities();
    const cohortOf = new Map<number, number>(raw.map((row: Record<string, unknown>) => [Number(row.o_id), Number(row.member_cohort_id)]));
    return entities.map((outcome) => ({ outcome, cohortId: cohortOf.get(outcome.id) ?? 0 }));
  }

  /**
   * Recomputes a programme's counters from its cohort enrolment rows and its members' outcomes
   * (after a bulk load, or to repair). Runs in one transaction: readers see old or new, never half.
   */
  async rebuildCounters(programmeId: number): Promise<void> {
    const tally = new Tally();
    let lastId = 0;
    for (;;) {
      const facts = await this.dataSource.getRepository(CohortEnrolment).find({
        where: { programmeId, id: MoreThan(lastId) },
        order: { id: 'ASC' },
        take: 5000,
      });
      if (facts.length === 0) break;
      for (const fact of facts) tally.addEnrolment(factState(fact));
      lastId = facts[facts.length - 1].id;
    }
    for (const { outcome, cohortId } of await this.memberOutcomes({ programmeId })) tally.addOutcome(outcomeState(outcome), cohortId);
    tally.withoutZeros();

    await this.transactions.run(async (manager) => {
      for (const entity of [ProgrammeStat, ProgrammeQuizStat, ProgrammeOutcomeStat]) await manager.getRepository(entity).delete({ programmeId });
      const stats = [...tally.stats.entries()].map(([key, counts]) => ({ programmeId, ...Tally.parseStatKey(key), ...counts }));
      const quizzes = [...tally.quizzes.entries()].map(([key, counts]) => {
        const { id, week, cohortId, courseId } = Tally.parsePairKey(key);
        return { programmeId, cohortId, courseId, quizId: Number(id), week, ...counts };
      });
      const outcomeRows = [...tally.outcomes.entries()].map(([key, counts]) => {
        const { id, week, cohortId } = Tally.parsePairKey(key);
        return { programmeId, cohortId, milestone: id, week, ...counts };
      });
      for (const [entity, rows] of [
        [ProgrammeStat, stats],
        [ProgrammeQuizStat, quizzes],
        [ProgrammeOutcomeStat, outcomeRows],
      ] as const) {
        for (let i = 0; i < rows.length; i += INSERT_BATCH) {
          await manager.createQueryBuilder().insert().into(entity).values(rows.slice(i, i + INSERT_BATCH)).execute();
        }
      }
    });
  }
}
