import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
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
 * Called inside the transaction that changed an enrolment's progress or activity (a lesson
 * opened or marked, a quiz graded), with the enrolment as it now is. Programme reporting keeps
 * its counters exact with it; enrollments never import it.
 */
export type EnrollmentActivityListener = (manager: EntityManager, enrollment: Enrollment) => Promise<void>;

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

@Injectable()
export class EnrollmentsService {
  private readonly completionListeners: CourseCompletionListener[] = [];
  private readonly activityListeners: EnrollmentActivityListener[] = [];
  private readonly enrolmentListeners: EnrolmentListener[] = [];
  private readonly visitListeners: LessonVisitListener[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly courses: CoursesService,
    private readonly quizzes: QuizzesService,
  ) {}

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
   * A learner's enrolment in a course with the lessons it has completed, in one query (the
   * lesson and course pages need both on every view), or null when not enrolled.
   */
  async findProgress(userId: number, courseId: number): Promise<CourseProgress | null> {
    const [progress] = await this.progressWhere('e.user_id = ? AND e.course_id = ?', [userId, courseId]);
    return progress ?? null;
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
      for (const listener of this.visitListeners) await listener(manager, enrollment, visit, at);
      if (this.activityListeners.length === 0) return;
      const updated = await manager.getRepository(Enrollment).findOneByOrFail({ id: enrollment.id });
      for (const listener of this.activityListeners) await listener(manager, updated);
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
    const enrollments = manager.getRepository(Enrollment);
    const enrollment = await enrollments.findOneByOrFail({ id: enrollmentId });
    const modules = await this.courses.liveLessonOutlines(manager, enrollment.courseId);
    const done = new Set(
      (await manager.getRepository(ModuleProgress).findBy({ enrollmentId, moduleId: In(modules.map((m) => m.id)) })).map((p) => p.moduleId),
    );
    const requiredModules = modules.filter((m) => m.required);
    const requiredQuizzes = (await this.quizzes.listCourseQuizzes(enrollment.courseId, manager)).filter((q) => q.required || q.isFinal);
    const standings = await this.quizzes.standings(enrollment.userId, requiredQuizzes, manager);
    const passedQuizzes = requiredQuizzes.filter((q) => standings.get(q.id)?.passed).length;
    const doneModules = requiredModules.filter((m) => done.has(m.id)).length;
    const percent = progressPercent(requiredModules.length + requiredQuizzes.length, doneModules + passedQuizzes);
    const complete = doneModules === requiredModules.length && passedQuizzes === requiredQuizzes.length;
    await enrollments.update({ id: enrollmentId }, { progressPercent: percent, lastActivityAt: now });
    let courseCompletedNow = false;
    if (complete) {
      const result = await enrollments.update({ id: enrollmentId, completedAt: IsNull() }, { status: 'completed', completedAt: now });
      courseCompletedNow = (result.affected ?? 0) === 1;
    }
    const updated = await enrollments.findOneByOrFail({ id: enrollmentId });
    for (const listener of this.activityListeners) await listener(manager, updated);
    if (courseCompletedNow) {
      for (const listener of this.completionListeners) await listener(manager, updated);
    }
    return { enrollment: updated, courseCompletedNow };
  }

  /**
   * The learner's dashboard: each enrolment with its course and where to continue. One query
   * whatever the number of enrolments (course outlines come from the shared cache).
   */
  async dashboard(userId: number) {
    const progress = await this.progressWhere('e.user_id = ?', [userId]);
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
