import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { SharedCacheService } from '../cache/shared-cache.service';
import { NotFoundError } from '../common/domain-error';
import { Course } from '../courses/course.entity';
import { CoursesService, LessonOutline } from '../courses/courses.service';
import { hydrate, readRows } from '../database/plain-read';
import { TransactionRunner } from '../database/transaction-runner';
import { QuizzesService } from '../quizzes/quizzes.service';
import { Enrollment } from './enrollment.entity';
import { ModuleProgress } from './module-progress.entity';

export interface CourseProgress {
  enrollment: Enrollment;
  completedModuleIds: Set<number>;
  percent: number;
}

/**
 * Called inside the transaction that completes an enrolment, exactly once per enrolment, so
 * a listener's writes (e.g. a pending certificate and its outbox row) commit or roll back
 * with the completion itself. Higher modules register here; enrollments never import them.
 */
export type CourseCompletionListener = (manager: EntityManager, enrollment: Enrollment) => Promise<void>;

/**
 * Called inside the transaction that changed enrolments' progress or activity (a lesson
 * opened or marked, a quiz graded, a course refreshed a chunk at a time), with the enrolments as
 * they now are. Programme reporting keeps
 * its counters exact with it; enrollments never import it.
 */
export type EnrollmentActivityListener = (manager: EntityManager, enrollments: Enrollment[]) => Promise<void>;

/**
 * Called inside the transaction that created an enrolment (once per enrolment) or recorded a
 * lesson visit, so a listener's writes (an xAPI statement in its outbox) commit with it.
 * Higher modules register here; enrollments never import them.
 */
export type EnrolmentListener = (manager: EntityManager, enrollment: Enrollment) => Promise<void>;
export type LessonVisitListener = (manager: EntityManager, enrollment: Enrollment, visit: LessonVisit, at: Date) => Promise<void>;

/** The lesson a learner opened, as the page has it already (from the cached course structure): listeners need not read it again. */
export interface LessonVisit {
  course: Course;
  lesson: LessonOutline;
}

export interface ModuleCompletionResult {
  enrollment: Enrollment;
  /** True only for the request that completed the course. */
  courseCompletedNow: boolean;
}

/**
 * Share of the course's required steps that are done: required live lessons completed and
 * required quizzes passed. Optional lessons and practice checks never count.
 */
export function progressPercent(requiredSteps: number, doneSteps: number): number {
  if (requiredSteps === 0) return 100;
  return Math.floor((doneSteps * 100) / requiredSteps);
}

const VISIT_WRITE_WINDOW_MS = 5 * 60 * 1000;
/** A learner's enrolments with their progress stay in memory this long unless they change first. */
const PROGRESS_TTL_MS = 60_000;
/** A change to more learners than this at once (a course refresh chunk) clears the whole cache: one message, not one per learner. */
const FORGET_ONE_BY_ONE_MAX = 20;

/** The cache is shared by requests: each caller gets its own copy to read or change. */
function copyOf(progress: CourseProgress): CourseProgress {
  const enrollment = Object.assign(Object.create(Enrollment.prototype) as Enrollment, progress.enrollment);
  return { enrollment, completedModuleIds: new Set(progress.completedModuleIds), percent: progress.percent };
}

@Injectable()
export class EnrollmentsService {
  private readonly completionListeners: CourseCompletionListener[] = [];
  private readonly activityListeners: EnrollmentActivityListener[] = [];
  private readonly enrolmentListeners: EnrolmentListener[] = [];
  private readonly visitListeners: LessonVisitListener[] = [];
  /**
   * Each learner's enrolments with their completed lessons, by user id: the lesson page, the
   * course page and the dashboard all read them, so a warm view of any of them costs no query.
   * Every write to enrolments or lesson progress goes through this service and forgets the
   * learner in every process once it commits (progressChanged).
   */
  private readonly progressByLearner;

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly courses: CoursesService,
    private readonly quizzes: QuizzesService,
    private readonly cache: SharedCacheService,
  ) {
    this.progressByLearner = cache.create<CourseProgress[]>('learner-progress', { ttlMs: PROGRESS_TTL_MS, maxEntries: 20_000 });
  }

  /** These learners' enrolments or progress changed in `manager`'s transaction. */
  private progressChanged(manager: EntityManager, userIds: number[]): void {
    const distinct = [...new Set(userIds.map(Number))];
    if (distinct.length > FORGET_ONE_BY_ONE_MAX) return this.cache.changed('learner-progress', manager);
    for (const userId of distinct) this.cache.forget('learner-progress', String(userId), manager);
  }

  /** All of a learner's enrolments with their completed lessons, most recently active first (one query, none when warm). */
  private async learnerProgress(userId: number): Promise<CourseProgress[]> {
    const progress = await this.progressByLearner.get(String(userId), () => this.progressWhere('e.user_id = ?', [userId]));
    return progress.map(copyOf);
  }

  onCourseCompleted(listener: CourseCompletionListener): void {
    this.completionListeners.push(listener);
  }

  onActivity(listener: EnrollmentActivityListener): void {
    this.activityListeners.push(listener);
  }

  onEnrolled(listener: EnrolmentListener): void {
    this.enrolmentListeners.push(listener);
  }

  onLessonVisited(listener: LessonVisitListener): void {
    this.visitListeners.push(listener);
  }

  private async created(manager: EntityManager, enrollment: Enrollment): Promise<Enrollment> {
    this.progressChanged(manager, [enrollment.userId]);
    for (const listener of this.enrolmentListeners) await listener(manager, enrollment);
    return enrollment;
  }

  async findEnrollment(userId: number, courseId: number, manager?: EntityManager): Promise<Enrollment | null> {
    // Every lesson and course page asks this: plain SQL outside a transaction (see readRows).
    if (manager) return manager.getRepository(Enrollment).findOneBy({ userId, courseId });
    const [enrollment] = await readRows(this.dataSource, Enrollment, 'user_id = ? AND course_id = ?', [userId, courseId]);
    return enrollment ?? null;
  }

  /** A learner's enrolments in several courses, by course id, in one query. */
  async findEnrollmentsOf(userId: number, courseIds: number[]): Promise<Map<number, Enrollment>> {
    if (courseIds.length === 0) return new Map();
    const rows = await this.dataSource.getRepository(Enrollment).findBy({ userId, courseId: In(courseIds) });
    return new Map(rows.map((row) => [row.courseId, row]));
  }

  /** Enrols a learner; enrolling again returns the existing enrolment unchanged. */
  async enrol(userId: number, courseId: number): Promise<Enrollment> {
    const existing = await this.findEnrollment(userId, courseId);
    if (existing) return existing;
    const now = new Date();
    try {
      return await this.transactions.run(async (manager) =>
        this.created(
          manager,
          await manager.getRepository(Enrollment).save(
            manager.getRepository(Enrollment).create({
              userId,
              courseId,
              status: 'active',
              progressPercent: 0,
              lastModuleId: null,
              lastActivityAt: now,
              completedAt: null,
              createdAt: now,
            }),
          ),
        ),
      );
    } catch (error) {
      // Two enrol clicks at once: the unique index lets one in; the other gets that one.
      const winner = await this.findEnrollment(userId, courseId);
      if (winner) return winner;
      throw error;
    }
  }

  /**
   * A learner's enrolment in a course with the lessons it has completed (the lesson and course
   * pages need both on every view), or null when not enrolled: from the learner's cached progress.
   */
  async findProgress(userId: number, courseId: number): Promise<CourseProgress | null> {
    return (await this.learnerProgress(userId)).find((progress) => progress.enrollment.courseId === courseId) ?? null;
  }

  /** The enrolments matching `where` (columns of `e`), each with its completed lessons, most recently active first, in one query. */
  private progressWhere(where: string, parameters: number[]): Promise<CourseProgress[]> {
    return this.dataSource
      .query(
        `SELECT e.*, p.module_id AS done_module_id FROM enrollments e LEFT JOIN module_progress p ON p.enrollment_id = e.id WHERE ${where} ORDER BY e.last_activity_at DESC, e.id DESC`,
        parameters,
      )
      .then((rows: Record<string, unknown>[]) => {
        const byId = new Map<number, CourseProgress>();
        for (const row of rows) {
          const id = Number(row.id);
          let progress = byId.get(id);
          if (!progress) {
            const enrollment = hydrate(this.dataSource, Enrollment, row);
            byId.set(id, (progress = { enrollment, completedModuleIds: new Set<number>(), percent: enrollment.progressPercent }));
          }
          if (row.done_module_id !== null) progress.completedModuleIds.add(Number(row.done_module_id));
        }
        return [...byId.values()];
      });
  }

  /** The lessons each enrolment has completed, for any number of enrolments in one query. */
  async completedLessons(enrollmentIds: number[]): Promise<Map<number, Set<number>>> {
    const result = new Map(enrollmentIds.map((id) => [id, new Set<number>()]));
    if (enrollmentIds.length === 0) return result;
    const ids = enrollmentIds.map(Number);
    const rows = await readRows(this.dataSource, ModuleProgress, `enrollment_id IN (${ids.map(() => '?').join(', ')})`, ids);
    for (const row of rows) result.get(row.enrollmentId)?.add(row.moduleId);
    return result;
  }

  /**
   * Remembers the lesson a learner opened, for "continue where you left off". Re-reading the
   * same lesson within a few minutes writes nothing: the page is read far more than it moves.
   */
  async recordVisit(enrollment: Enrollment, visit: LessonVisit, now = new Date()): Promise<void> {
    const moduleId = visit.lesson.id;
    const recent = now.getTime() - enrollment.lastActivityAt.getTime() < VISIT_WRITE_WINDOW_MS;
    if (enrollment.lastModuleId === moduleId && recent) return;
    await this.transactions.run(async (manager) => {
      const at = new Date();
      await manager.getRepository(Enrollment).update({ id: enrollment.id }, { lastModuleId: moduleId, lastActivityAt: at });
      this.progressChanged(manager, [enrollment.userId]);
      for (const listener of this.visitListeners) await listener(manager, enrollment, visit, at);
      if (this.activityListeners.length === 0) return;
      const updated = await manager.getRepository(Enrollment).findOneByOrFail({ id: enrollment.id });
      for (const listener of this.activityListeners) await listener(manager, [updated]);
    });
  }

  /**
   * Enrols inside the caller's transaction (a cohort join or a bulk enrolment, which commit or
   * roll back as a whole); an existing enrolment is returned unchanged.
   */
  async enrolWithin(manager: EntityManager, userId: number, courseId: number, now: Date): Promise<Enrollment> {
    const existing = await this.findEnrollment(userId, courseId, manager);
    if (existing) return existing;
    const repository = manager.getRepository(Enrollment);
    return this.created(
      manager,
      await repository.save(
        repository.create({ userId, courseId, status: 'active', progressPercent: 0, lastModuleId: null, lastActivityAt: now, completedAt: null, createdAt: now }),
      ),
    );
  }

  /**
   * Marks a lesson complete (again is harmless), refreshes the progress and applies the
   * completion rule. The course is completed at most once: the update only matches while
   * completed_at is still empty.
   */
  async completeModule(enrollment: Enrollment, module: Pick<LessonOutline, 'id' | 'courseId'>): Promise<ModuleCompletionResult> {
    if (module.courseId !== enrollment.courseId) throw new NotFoundError();
    return this.transactions.run(async (manager) => {
      const now = new Date();
      // INSERT … IGNORE: a double click or a retried request finds the row already there.
      await manager
        .createQueryBuilder()
        .insert()
        .into(ModuleProgress)
        .values({ enrollmentId: enrollment.id, moduleId: module.id, completedAt: now })
        .orIgnore()
        .execute();
      return this.applyCompletionRule(manager, enrollment.id, now);
    });
  }

  /**
   * The completion rule: every required live lesson complete and every required quiz (the
   * final assessment at least) passed. Runs in the caller's transaction after anything that
   * can change the answer (a lesson marked, an attempt graded, an essay marked).
   */
  async applyCompletionRule(manager: EntityManager, enrollmentId: number, now: Date): Promise<ModuleCompletionResult> {
    const [result] = await this.applyCompletionRuleToMany(manager, [enrollmentId], now);
    if (!result) throw new NotFoundError();
    return result;
  }

  /**
   * The completion rule for enrolments of one course at once, with a constant number of reads
   * whatever their number: the progress refresh after a publish runs it a chunk at a time.
   */
  async applyCompletionRuleToMany(manager: EntityManager, enrollmentIds: number[], now: Date): Promise<ModuleCompletionResult[]> {
    if (enrollmentIds.length === 0) return [];
    const enrollments = manager.getRepository(Enrollment);
    const found = await enrollments.find({ where: { id: In(enrollmentIds) }, order: { id: 'ASC' } });
    if (found.length === 0) return [];
    const courseId = found[0].courseId;
    if (found.some((e) => e.courseId !== courseId)) throw new Error('applyCompletionRuleToMany: enrolments of one course only');
    const ids = found.map((e) => e.id);
    const modules = await this.courses.liveLessonOutlines(manager, courseId);
    const requiredModules = modules.filter((m) => m.required);
    const doneByEnrolment = new Map<number, Set<number>>(ids.map((id) => [id, new Set()]));
    if (requiredModules.length > 0) {
      const rows = await manager.getRepository(ModuleProgress).findBy({ enrollmentId: In(ids), moduleId: In(requiredModules.map((m) => m.id)) });
      for (const row of rows) doneByEnrolment.get(row.enrollmentId)?.add(row.moduleId);
    }
    const requiredQuizzes = (await this.quizzes.listCourseQuizzes(courseId, manager)).filter((q) => q.required || q.isFinal);
    const standings = await this.quizzes.standingsOfLearners(
      manager,
      found.map((e) => e.userId),
      requiredQuizzes,
    );
    const byPercent = new Map<number, number[]>();
    const completing: number[] = [];
    for (const enrollment of found) {
      const mine = standings.get(Number(enrollment.userId));
      const passedQuizzes = requiredQuizzes.filter((q) => mine?.get(q.id)?.passed).length;
      const doneModules = doneByEnrolment.get(enrollment.id)?.size ?? 0;
      const percent = progressPercent(requiredModules.length + requiredQuizzes.length, doneModules + passedQuizzes);
      const samePercent = byPercent.get(percent) ?? [];
      samePercent.push(enrollment.id);
      byPercent.set(percent, samePercent);
      const complete = doneModules === requiredModules.length && passedQuizzes === requiredQuizzes.length;
      if (complete && enrollment.completedAt === null) completing.push(enrollment.id);
    }
    // One update per distinct percentage: a chunk of learners spreads over few values.
    for (const [percent, sameIds] of byPercent) await enrollments.update({ id: In(sameIds) }, { progressPercent: percent, lastActivityAt: now });
    const completedNow = new Set<number>();
    for (const id of completing) {
      // Matches only while completed_at is empty: a course is completed at most once.
      const result = await enrollments.update({ id, completedAt: IsNull() }, { status: 'completed', completedAt: now });
      if ((result.affected ?? 0) === 1) completedNow.add(id);
    }
    const updated = await enrollments.find({ where: { id: In(ids) }, order: { id: 'ASC' } });
    this.progressChanged(manager, updated.map((e) => e.userId));
    for (const listener of this.activityListeners) await listener(manager, updated);
    for (const enrollment of updated.filter((e) => completedNow.has(e.id))) {
      for (const listener of this.completionListeners) await listener(manager, enrollment);
    }
    return updated.map((enrollment) => ({ enrollment, courseCompletedNow: completedNow.has(enrollment.id) }));
  }

  /**
   * The learner's dashboard: each enrolment with its course and where to continue. One query
   * whatever the number of enrolments, none when warm (course outlines come from the shared cache).
   */
  async dashboard(userId: number) {
    const progress = await this.learnerProgress(userId);
    const structures = await this.courses.structuresByIds(progress.map((p) => p.enrollment.courseId));
    const result = [];
    for (const { enrollment, completedModuleIds } of progress) {
      const structure = structures.get(enrollment.courseId);
      if (!structure) continue;
      const { course, modules } = structure;
      const resume =
        modules.find((m) => m.id === enrollment.lastModuleId && !completedModuleIds.has(m.id)) ??
        modules.find((m) => !completedModuleIds.has(m.id)) ??
        modules.find((m) => m.id === enrollment.lastModuleId) ??
        modules[0];
      result.push({ enrollment, course, resume });
    }
    return result;
  }
}
