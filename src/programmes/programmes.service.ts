import { randomInt } from 'node:crypto';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import type { CertificateScope } from '../certificates/certificate-scope';
import { CertificatesService } from '../certificates/certificates.service';
import { ForbiddenError, FormInvalidError, NotFoundError } from '../common/domain-error';
import { Course } from '../courses/course.entity';
import { CoursesService } from '../courses/courses.service';
import { TransactionRunner } from '../database/transaction-runner';
import type { Role, User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { Cohort, CohortCourse, CohortManager } from './entities/cohort.entity';
import { Programme, ProgrammeManager } from './entities/programme.entity';
import { isProfileField, ProfileField } from './profile-fields';
import { isoToDay } from './stats/weeks';

/** Who is looking: access is decided on the account's id and role. */
export interface Viewer {
  id: number;
  role: Role;
}

export interface ProgrammeInput {
  name?: string;
  description?: string;
  requiredFields?: string[] | string;
}

export interface CohortInput {
  name?: string;
  startsOn?: string;
  endsOn?: string;
}

export interface CohortAccess {
  cohort: Cohort;
  programme: Programme;
  /** A manager of the whole programme (or an admin), not only of this cohort. */
  managesProgramme: boolean;
}

// No 0/O, 1/I/L: codes are read aloud in workshops and typed from printed handouts.
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 8;

export function newEnrolCode(): string {
  return Array.from({ length: CODE_LENGTH }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
}

export function normalizeCode(code: string): string {
  return String(code ?? '').trim().toUpperCase().replace(/[\s-]/g, '');
}

function checkName(value: unknown, errors: Record<string, string>): string {
  const name = typeof value === 'string' ? value.trim() : '';
  if (!name) errors.name = 'validation.required';
  else if (name.length > 160) errors.name = 'validation.too_long';
  return name;
}

/** Programmes, their cohorts and managers, and who may see what. */
@Injectable()
export class ProgrammesService implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly users: UsersService,
    private readonly courses: CoursesService,
    private readonly certificates: CertificatesService,
  ) {}

  /** A manager sees the certificates of the enrolments they manage (the PDF link, the register). */
  onModuleInit(): void {
    this.certificates.useManagerScope((viewer) => this.managedEnrolments(viewer));
  }

  // ---- access ------------------------------------------------------------------------------

  private async managesProgramme(viewer: Viewer, programmeId: number): Promise<boolean> {
    if (viewer.role === 'admin') return true;
    return this.dataSource.getRepository(ProgrammeManager).existsBy({ programmeId, userId: viewer.id });
  }

  /** The programme, for an admin or one of its managers; anyone else is refused. */
  async programmeFor(viewer: Viewer, programmeId: number): Promise<Programme> {
    const programme = await this.dataSource.getRepository(Programme).findOneBy({ id: programmeId });
    if (!programme) throw new NotFoundError('programmes.not_found');
    if (!(await this.managesProgramme(viewer, programmeId))) throw new ForbiddenError();
    return programme;
  }

  /** The cohort, for an admin, a manager of its programme or of the cohort itself. */
  async cohortFor(viewer: Viewer, cohortId: number): Promise<CohortAccess> {
    const cohort = await this.dataSource.getRepository(Cohort).findOneBy({ id: cohortId });
    if (!cohort) throw new NotFoundError('programmes.cohort_not_found');
    const programme = await this.dataSource.getRepository(Programme).findOneByOrFail({ id: cohort.programmeId });
    const managesProgramme = await this.managesProgramme(viewer, programme.id);
    if (!managesProgramme && !(await this.dataSource.getRepository(CohortManager).existsBy({ cohortId, userId: viewer.id }))) {
      throw new ForbiddenError();
    }
    return { cohort, programme, managesProgramme };
  }

  async cohortForProgrammeManager(viewer: Viewer, cohortId: number): Promise<CohortAccess> {
    const access = await this.cohortFor(viewer, cohortId);
    if (!access.managesProgramme) throw new ForbiddenError();
    return access;
  }

  /** What a viewer manages: null programme ids means all (an admin). */
  async scopeOf(viewer: Viewer): Promise<{ programmeIds: number[] | null; cohortIds: number[] }> {
    if (viewer.role === 'admin') return { programmeIds: null, cohortIds: [] };
    const programmeIds = (await this.dataSource.getRepository(ProgrammeManager).findBy({ userId: viewer.id })).map((m) => m.programmeId);
    const cohortIds = (await this.dataSource.getRepository(CohortManager).findBy({ userId: viewer.id })).map((m) => m.cohortId);
    return { programmeIds, cohortIds };
  }

  /**
   * The enrolments a viewer manages, as a subquery for certificate queries: those that came
   * through a cohort of a programme they manage or a cohort they manage; an admin's are all.
   * With a cohort, only that cohort's (and nothing when the viewer does not manage it).
   */
  async managedEnrolments(viewer: Viewer, cohortId?: number): Promise<CertificateScope> {
    const conditions: string[] = [];
    const params: Record<string, number> = {};
    if (viewer.role !== 'admin') {
      conditions.push(
        '(scope_ce.cohort_id IN (SELECT scope_c.id FROM cohorts scope_c INNER JOIN programme_managers scope_pm ON scope_pm.programme_id = scope_c.programme_id WHERE scope_pm.user_id = :scopeUserId)' +
          ' OR scope_ce.cohort_id IN (SELECT scope_cm.cohort_id FROM cohort_managers scope_cm WHERE scope_cm.user_id = :scopeUserId))',
      );
      params.scopeUserId = viewer.id;
    }
    if (cohortId !== undefined) {
      conditions.push('scope_ce.cohort_id = :scopeCohortId');
      params.scopeCohortId = cohortId;
    }
    if (conditions.length === 0) return 'all';
    return { sql: `SELECT scope_ce.enrollment_id FROM cohort_enrolments scope_ce WHERE ${conditions.join(' AND ')}`, params };
  }

  /** Everything a manager sees on /manage: their programmes, and cohorts they manage on their own. */
  async overviewFor(viewer: Viewer): Promise<{ programmes: Programme[]; cohorts: (Cohort & { programmeName: string })[] }> {
    const programmeIds =
      viewer.role === 'admin'
        ? null
        : (await this.dataSource.getRepository(ProgrammeManager).findBy({ userId: viewer.id })).map((m) => m.programmeId);
    const programmes = await this.dataSource
      .getRepository(Programme)
      .find({ where: programmeIds === null ? {} : { id: In(programmeIds) }, order: { name: 'ASC', id: 'ASC' } });
    const own = new Set(programmes.map((p) => p.id));
    const cohortIds = (await this.dataSource.getRepository(CohortManager).findBy({ userId: viewer.id })).map((m) => m.cohortId);
    const cohorts = cohortIds.length ? await this.dataSource.getRepository(Cohort).findBy({ id: In(cohortIds) }) : [];
    const names = new Map((await this.dataSource.getRepository(Programme).findBy({ id: In(cohorts.map((c) => c.programmeId)) })).map((p) => [p.id, p.name]));
    return {
      programmes,
      cohorts: cohorts.filter((c) => !own.has(c.programmeId)).map((c) => ({ ...c, programmeName: names.get(c.programmeId) ?? '' })),
    };
  }

  // ---- programmes --------------------------------------------------------------------------

  private checkProgramme(input: ProgrammeInput): { name: string; description: string | null; requiredFields: ProfileField[] } {
    const errors: Record<string, string> = {};
    const name = checkName(input.name, errors);
    const description = typeof input.description === 'string' ? input.description.trim() : '';
    if (description.length > 2000) errors.description = 'validation.too_long';
    const raw = Array.isArray(input.requiredFields) ? input.requiredFields : input.requiredFields ? [input.requiredFields] : [];
    if (raw.some((field) => !isProfileField(field))) errors.requiredFields = 'validation.choose_option';
    if (Object.keys(errors).length) throw new FormInvalidError(errors);
    return { name, description: description || null, requiredFields: raw.filter(isProfileField) };
  }

  /** A manager who creates a programme manages it. */
  async createProgramme(viewer: Viewer, input: ProgrammeInput): Promise<Programme> {
    const values = this.checkProgramme(input);
    return this.transactions.run(async (manager) => {
      const now = new Date();
      const programme = await manager.getRepository(Programme).save(manager.getRepository(Programme).create({ ...values, createdAt: now, updatedAt: now }));
      await manager.getRepository(ProgrammeManager).save({ programmeId: programme.id, userId: viewer.id, createdAt: now });
      return programme;
    });
  }

  async updateProgramme(programmeId: number, input: ProgrammeInput): Promise<void> {
    const values = this.checkProgramme(input);
    await this.transactions.run((manager) => manager.getRepository(Programme).update({ id: programmeId }, { ...values, updatedAt: new Date() }));
  }

  async programmeManagers(programmeId: number): Promise<User[]> {
    const ids = (await this.dataSource.getRepository(ProgrammeManager).findBy({ programmeId })).map((m) => m.userId);
    return this.usersByIds(ids);
  }

  private async usersByIds(ids: number[]): Promise<User[]> {
    return (await this.users.findByIds(ids)).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Only accounts with the manager (or admin) role can be given a programme or a cohort. */
  private async managerByEmail(email: string): Promise<User> {
    const user = email ? await this.users.findByEmail(email) : null;
    if (!user) throw new FormInvalidError({ email: 'programmes.errors.no_account' });
    if (user.role !== 'manager' && user.role !== 'admin') throw new FormInvalidError({ email: 'programmes.errors.not_a_manager' });
    return user;
  }

  async addProgrammeManager(programmeId: number, email: string): Promise<void> {
    const user = await this.managerByEmail(email);
    await this.transactions.run((manager) =>
      manager.createQueryBuilder().insert().into(ProgrammeManager).values({ programmeId, userId: user.id, createdAt: new Date() }).orIgnore().execute(),
    );
  }

  /** A programme always keeps at least one manager. */
  async removeProgrammeManager(programmeId: number, userId: number): Promise<void> {
    await this.transactions.run(async (manager) => {
      const repository = manager.getRepository(ProgrammeManager);
      if ((await repository.countBy({ programmeId })) <= 1) throw new FormInvalidError({ manager: 'programmes.errors.last_manager' });
      await repository.delete({ programmeId, userId });
    });
  }

  // ---- cohorts -----------------------------------------------------------------------------

  private checkCohort(input: CohortInput): { name: string; startsOn: string; endsOn: string | null } {
    const errors: Record<string, string> = {};
    const name = checkName(input.name, errors);
    const startsOn = String(input.startsOn ?? '').trim();
    const endsOn = String(input.endsOn ?? '').trim();
    if (!startsOn) errors.startsOn = 'validation.required';
    else if (isoToDay(startsOn) === null) errors.startsOn = 'programmes.errors.date_invalid';
    if (endsOn && isoToDay(endsOn) === null) errors.endsOn = 'programmes.errors.date_invalid';
    else if (endsOn && !errors.startsOn && endsOn < startsOn) errors.endsOn = 'programmes.errors.ends_before_start';
    if (Object.keys(errors).length) throw new FormInvalidError(errors);
    return { name, startsOn, endsOn: endsOn || null };
  }

  async publishedCourses(ids: number[]): Promise<Course[]> {
    return (await this.courses.findCoursesByIds(ids)).filter((c) => c.status === 'published');
  }

  listPublishedCourses(): Promise<Course[]> {
    return this.courses.listPublishedCourses();
  }

  async createCohort(programmeId: number, input: CohortInput & { courseIds?: string[] | string }): Promise<Cohort> {
    const values = this.checkCohort(input);
    const wanted = (Array.isArray(input.courseIds) ? input.courseIds : input.courseIds ? [input.courseIds] : []).map(Number);
    const courses = await this.publishedCourses(wanted.filter(Number.isSafeInteger));
    if (courses.length === 0) throw new FormInvalidError({ courseIds: 'programmes.errors.choose_course' });
    return this.transactions.run(async (manager) => {
      const now = new Date();
      const cohort = await manager
        .getRepository(Cohort)
        .save(manager.getRepository(Cohort).create({ ...values, programmeId, enrolCode: await this.freeCode(manager), createdAt: now, updatedAt: now }));
      const ordered = wanted.filter((id) => courses.some((c) => c.id === id));
      await manager.getRepository(CohortCourse).save(ordered.map((courseId, index) => ({ cohortId: cohort.id, courseId, position: index + 1 })));
      return cohort;
    });
  }

  async updateCohort(cohortId: number, input: CohortInput): Promise<void> {
    const values = this.checkCohort(input);
    await this.transactions.run((manager) => manager.getRepository(Cohort).update({ id: cohortId }, { ...values, updatedAt: new Date() }));
  }

  private async freeCode(manager: EntityManager): Promise<string> {
    for (;;) {
      const code = newEnrolCode();
      if (!(await manager.getRepository(Cohort).existsBy({ enrolCode: code }))) return code;
    }
  }

  /** A new code (the old link stops working), or none: joining by link switched off. */
  async setEnrolCode(cohortId: number, enabled: boolean): Promise<void> {
    await this.transactions.run(async (manager) =>
      manager.getRepository(Cohort).update({ id: cohortId }, { enrolCode: enabled ? await this.freeCode(manager) : null, updatedAt: new Date() }),
    );
  }

  async cohortsOf(programmeId: number): Promise<Cohort[]> {
    return this.dataSource.getRepository(Cohort).find({ where: { programmeId }, order: { startsOn: 'ASC', id: 'ASC' } });
  }

  async findCohortByCode(code: string): Promise<{ cohort: Cohort; programme: Programme } | null> {
    const normalized = normalizeCode(code);
    if (!normalized) return null;
    const cohort = await this.dataSource.getRepository(Cohort).findOneBy({ enrolCode: normalized });
    if (!cohort) return null;
    return { cohort, programme: await this.dataSource.getRepository(Programme).findOneByOrFail({ id: cohort.programmeId }) };
  }

  async cohortCourses(cohortId: number, manager: EntityManager = this.dataSource.manager): Promise<Course[]> {
    return (await this.coursesOfCohorts([cohortId], manager)).get(cohortId) ?? [];
  }

  /** The courses each cohort teaches, in the cohort's order, for several cohorts in one query. */
  async coursesOfCohorts(cohortIds: number[], manager: EntityManager = this.dataSource.manager): Promise<Map<number, Course[]>> {
    const result = new Map<number, Course[]>(cohortIds.map((id) => [id, []]));
    if (cohortIds.length === 0) return result;
    const links = await manager.getRepository(CohortCourse).find({ where: { cohortId: In(cohortIds) }, order: { position: 'ASC', id: 'ASC' } });
    const courses = new Map((await this.courses.findCoursesByIds(links.map((l) => l.courseId))).map((c) => [c.id, c]));
    for (const link of links) {
      const course = courses.get(link.courseId);
      if (course) result.get(link.cohortId)?.push(course);
    }
    return result;
  }

  /** Courses taught in any cohort of the programme, in title order. */
  async programmeCourses(programmeId: number): Promise<Course[]> {
    const links: { course_id: number }[] = await this.dataSource
      .createQueryBuilder()
      .select('DISTINCT cc.course_id', 'course_id')
      .from(CohortCourse, 'cc')
      .innerJoin(Cohort, 'c', 'c.id = cc.cohort_id')
      .where('c.programme_id = :programmeId', { programmeId })
      .getRawMany();
    const courses = await this.courses.findCoursesByIds(links.map((l) => Number(l.course_id)));
    return courses.sort((a, b) => a.title.localeCompare(b.title));
  }

  async cohortManagers(cohortId: number): Promise<User[]> {
    return this.usersByIds((await this.dataSource.getRepository(CohortManager).findBy({ cohortId })).map((m) => m.userId));
  }

  async addCohortManager(cohortId: number, email: string): Promise<void> {
    const user = await this.managerByEmail(email);
    await this.transactions.run((manager) =>
      manager.createQueryBuilder().insert().into(CohortManager).values({ cohortId, userId: user.id, createdAt: new Date() }).orIgnore().execute(),
    );
  }

  async removeCohortManager(cohortId: number, userId: number): Promise<void> {
    await this.transactions.run((manager) => manager.getRepository(CohortManager).delete({ cohortId, userId }));
  }
}
