import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { FormInvalidError, NotFoundError } from '../common/domain-error';
import { Course } from '../courses/course.entity';
import { TransactionRunner } from '../database/transaction-runner';
import { EnrollmentsService } from '../enrollments/enrollments.service';
import type { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { Cohort, CohortCourse, CohortMember, JoinRoute } from './entities/cohort.entity';
import { CohortEnrolment } from './entities/cohort-enrolment.entity';
import { LearnerProfile } from './entities/learner-profile.entity';
import { Programme } from './entities/programme.entity';
import { ProfileField, ProfileInput } from './profile-fields';
import { ProfilesService } from './profiles.service';
import { ProgrammesService } from './programmes.service';
import { ProgrammeStatsService } from './stats/programme-stats.service';
import { Tally } from './stats/tally';

export type JoinOutcome = 'joined' | 'already_member';

export interface JoinOptions {
  /** The cohort's courses, when the caller already has them. */
  courses?: Course[];
  /** The learner's profile, when the caller already has it (null: none). */
  profile?: LearnerProfile | null;
  /** Collects the counts for the caller to apply once (bulk enrolment). */
  tally?: Tally;
  /** An account created in this transaction: no memberships, enrolments or outcomes to look for. */
  newAccount?: boolean;
}

/** Thrown when a learner is already in another cohort of the same programme. */
export class InOtherCohortError extends FormInvalidError {
  constructor(readonly cohortName: string) {
    super({ email: 'programmes.errors.in_other_cohort' });
  }
}

/**
 * Who is in which cohort. Joining enrols the learner in every course of the cohort in the same
 * transaction, and the programme counters move with it.
 */
@Injectable()
export class MembershipService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly enrollments: EnrollmentsService,
    private readonly programmes: ProgrammesService,
    private readonly profiles: ProfilesService,
    private readonly stats: ProgrammeStatsService,
    private readonly users: UsersService,
  ) {}

  findMembership(programmeId: number, userId: number, manager: EntityManager = this.dataSource.manager): Promise<CohortMember | null> {
    return manager.getRepository(CohortMember).findOneBy({ programmeId, userId });
  }

  /** Profile fields the learner must keep filled: whatever their programmes require. */
  async requiredFieldsFor(userId: number): Promise<ProfileField[]> {
    const memberships = await this.dataSource.getRepository(CohortMember).findBy({ userId });
    if (memberships.length === 0) return [];
    const programmes = await this.dataSource.getRepository(Programme).findBy({ id: In(memberships.map((m) => m.programmeId)) });
    return [...new Set(programmes.flatMap((p) => p.requiredFields))];
  }

  /**
   * Puts a learner in a cohort inside the caller's transaction. Joining the same cohort again
   * changes nothing; a learner already in another cohort of the programme is refused.
   */
  async joinWithin(manager: EntityManager, cohort: Cohort, userId: number, via: JoinRoute, now: Date, options: JoinOptions = {}): Promise<JoinOutcome> {
    if (!options.newAccount) {
      const existing = await this.findMembership(cohort.programmeId, userId, manager);
      if (existing?.cohortId === cohort.id) return 'already_member';
      if (existing) {
        const other = await manager.getRepository(Cohort).findOneByOrFail({ id: existing.cohortId });
        throw new InOtherCohortError(other.name);
      }
    }
    const profile = options.profile !== undefined ? options.profile : await manager.getRepository(LearnerProfile).findOneBy({ userId });
    const facts: CohortEnrolment[] = [];
    for (const course of options.courses ?? (await this.programmes.cohortCourses(cohort.id, manager))) {
      const enrollment = await this.enrollments.enrolWithin(manager, userId, course.id, now);
      const link = { programmeId: cohort.programmeId, cohortId: cohort.id, courseId: course.id, userId, enrolledAt: now };
      facts.push(await this.stats.link(manager, link, enrollment, { profile, tally: options.tally, fresh: enrollment.createdAt.getTime() === now.getTime() }));
    }
    await manager.getRepository(CohortMember).insert({
      programmeId: cohort.programmeId,
      cohortId: cohort.id,
      userId,
      joinedAt: now,
      joinedVia: via,
      lastActivityAt: facts.reduce((latest, f) => (f.lastActivityAt > latest ? f.lastActivityAt : latest), now),
      openCourses: facts.filter((f) => f.completedAt === null).length,
    });
    // A brand-new account has no outcomes yet.
    if (!options.newAccount) await this.stats.countMemberOutcomes(manager, { programmeId: cohort.programmeId, cohortId: cohort.id, userId }, 1, options.tally);
    return 'joined';
  }

  /** A manager adds an existing account by email. */
  async addByEmail(cohort: Cohort, email: string): Promise<{ user: User; outcome: JoinOutcome }> {
    const user = email ? await this.users.findByEmail(email) : null;
    if (!user) throw new FormInvalidError({ email: 'programmes.errors.no_learner_account' });
    const outcome = await this.transactions.run((manager) => this.joinWithin(manager, cohort, user.id, 'manager', new Date()));
    return { user, outcome };
  }

  /**
   * A learner joins with the cohort's code, giving the profile fields the programme requires
   * (and any others they like) in the same step.
   */
  async joinWithCode(cohort: Cohort, programme: Programme, userId: number, profileInput: ProfileInput): Promise<JoinOutcome> {
    const values = this.profiles.check(profileInput, programme.requiredFields);
    return this.transactions.run(async (manager) => {
      await this.profiles.saveWithin(manager, userId, values);
      return this.joinWithin(manager, cohort, userId, 'code', new Date());
    });
  }

  /** Takes a learner out of a cohort: they stop counting in its reports; their enrolments and progress stay theirs. */
  async remove(cohortId: number, userId: number): Promise<void> {
    await this.transactions.run(async (manager) => {
      const member = await manager.getRepository(CohortMember).findOneBy({ cohortId, userId });
      if (!member) throw new NotFoundError('programmes.member_not_found');
      await this.stats.unlink(manager, await manager.getRepository(CohortEnrolment).findBy({ cohortId, userId }));
      await this.stats.countMemberOutcomes(manager, member, -1);
      await manager.getRepository(CohortMember).delete({ id: member.id });
    });
  }

  /** A course added to a running cohort reaches every member now (enrolled today). */
  async addCourse(cohort: Cohort, courseId: number): Promise<void> {
    // A form posted without a course (or with a word) must not reach SQL as NaN.
    const [course] = Number.isSafeInteger(courseId) ? await this.programmes.publishedCourses([courseId]) : [];
    if (!course) throw new FormInvalidError({ courseId: 'programmes.errors.choose_course' });
    await this.transactions.run(async (manager) => {
      const links = manager.getRepository(CohortCourse);
      if (await links.existsBy({ cohortId: cohort.id, courseId })) return;
      const position = (await links.countBy({ cohortId: cohort.id })) + 1;
      await links.save({ cohortId: cohort.id, courseId, position });
      const now = new Date();
      for (const member of await manager.getRepository(CohortMember).findBy({ cohortId: cohort.id })) {
        const enrollment = await this.enrollments.enrolWithin(manager, member.userId, courseId, now);
        const link = { programmeId: cohort.programmeId, cohortId: cohort.id, courseId, userId: member.userId, enrolledAt: now };
        await this.stats.link(manager, link, enrollment, { fresh: enrollment.createdAt.getTime() === now.getTime() });
        await this.stats.refreshMember(manager, cohort.id, member.userId);
      }
    });
  }

  /** A course taken out of a cohort stops counting there; learners keep their enrolments. */
  async removeCourse(cohort: Cohort, courseId: number): Promise<void> {
    await this.transactions.run(async (manager) => {
      const links = manager.getRepository(CohortCourse);
      if ((await links.countBy({ cohortId: cohort.id })) <= 1) throw new FormInvalidError({ courseId: 'programmes.errors.last_course' });
      const facts = await manager.getRepository(CohortEnrolment).findBy({ cohortId: cohort.id, courseId });
      await this.stats.unlink(manager, facts);
      await links.delete({ cohortId: cohort.id, courseId });
      for (const fact of facts) await this.stats.refreshMember(manager, cohort.id, fact.userId);
    });
  }

  /** A cohort's members, newest first, with where they stand. */
  async members(cohortId: number, page: number, pageSize: number): Promise<{ members: (CohortMember & { user: User })[]; total: number }> {
    const [members, total] = await this.dataSource.getRepository(CohortMember).findAndCount({
      where: { cohortId },
      relations: { user: true },
      order: { joinedAt: 'DESC', id: 'DESC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
    return { members: members as (CohortMember & { user: User })[], total };
  }
}
