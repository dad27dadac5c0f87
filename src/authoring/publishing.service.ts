import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { LoadedCourse } from '../content/content-loader';
import { ContentService } from '../content/content.service';
import { CoursesService } from '../courses/courses.service';
import { TransactionRunner } from '../database/transaction-runner';
import { CourseRefreshService } from '../enrollments/course-refresh.service';
import { QuizzesService } from '../quizzes/quizzes.service';
import { User } from '../users/user.entity';
import { CourseAccess } from './course-access.service';
import { courseDefinitionOf, DraftContent, quizDefinitionsOf, rebaseDraft } from './draft-content';
import { DraftProblem, findDraftProblems } from './draft-problems';
import { DraftsService } from './drafts.service';
import { LessonImagesService } from './lesson-images.service';

/** Work other features do in the publish transaction (videos go live with their lessons). */
export type PublishListener = (manager: EntityManager, courseId: number) => Promise<void>;

export interface PublishResult {
  /** Empty when the draft went live. */
  problems: DraftProblem[];
  /** Enrolments (not yet completed) whose progress the worker is recomputing. */
  refreshing: number;
}

/**
 * Draft → live. Publishing checks the draft, then in one transaction writes it over the live
 * course (lessons by slug, quizzes by slug, questions by name: nothing a learner did is lost)
 * and records a refresh run, which the worker carries out in chunks: the completion rule again
 * for every learner who has not completed yet (a completed learner stays completed). Importing
 * a changed content/ folder follows the same rules.
 */
@Injectable()
export class PublishingService implements OnModuleInit {
  private readonly logger = new Logger('Authoring');
  private readonly publishListeners: PublishListener[] = [];

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly courses: CoursesService,
    private readonly quizzes: QuizzesService,
    private readonly refresh: CourseRefreshService,
    private readonly drafts: DraftsService,
    private readonly audit: AuditService,
    private readonly content: ContentService,
    private readonly images: LessonImagesService,
  ) {}

  onModuleInit(): void {
    this.content.onCourseImported((manager, courseId, loaded) => this.afterImport(manager, courseId, loaded));
  }

  onPublished(listener: PublishListener): void {
    this.publishListeners.push(listener);
  }

  problems(draft: DraftContent): DraftProblem[] {
    return findDraftProblems(draft, (source) => this.quizzes.checkGiftSource(source));
  }

  async publish(user: User, access: CourseAccess): Promise<PublishResult> {
    const { course } = access;
    return this.drafts.retryOnRace(() =>
      this.transactions.run(async (manager) => {
        const row = await this.drafts.findRow(manager, course.id);
        const draft = row ? row.content : await this.drafts.liveSnapshot(course, manager);
        const problems = this.problems(draft);
        if (problems.length) return { problems, refreshing: 0 };

        const now = new Date();
        const live = await this.courses.saveCourseDefinition(
          manager,
          courseDefinitionOf(course.slug, draft),
          course.contentHash,
        );
        const modules = await this.courses.activeModules(live.id, manager);
        await this.quizzes.saveQuizDefinitions(
          manager,
          live.id,
          quizDefinitionsOf(draft),
          new Map(modules.map((m) => [m.slug, m.id])),
        );
        for (const listener of this.publishListeners) await listener(manager, live.id);
        const run = await this.refresh.start(manager, live.id, now);
        if (row?.content.liveReplacedByImportAt) {
          const { liveReplacedByImportAt: _seen, ...content } = row.content;
          if (!(await this.drafts.tryWrite(manager, course.id, row, content, user.id, true)))
            this.drafts.raceLost();
        } else if (row) {
          await this.drafts.markPublished(manager, row);
        }
        await this.audit.record(manager, {
          actor: { id: user.id, email: user.email },
          action: 'published',
          courseId: course.id,
          target: course.slug,
          detail: `${draft.modules.length} lessons, ${draft.quizzes.length} quizzes; ${run.total} learners' progress to recompute`,
        });
        return { problems: [], refreshing: run.total };
      }),
    );
  }

  /** Takes the course out of the catalog: back to draft (unpublish) or archived. Learners' records stay. */
  async withdraw(user: User, access: CourseAccess, status: 'draft' | 'archived'): Promise<void> {
    await this.transactions.run(async (manager) => {
      await this.courses.setStatus(manager, access.course.id, status);
      await this.audit.record(manager, {
        actor: { id: user.id, email: user.email },
        action: status === 'draft' ? 'unpublished' : 'archived',
        courseId: access.course.id,
        target: access.course.slug,
      });
    });
  }

  /**
   * A changed content/ folder was imported over the live course (inside the import's
   * transaction): learners' progress is recomputed as after a publish (in the background), the folder's images are
   * stored, and a browser draft without unpublished changes follows the new live course. A
   * draft with unpublished changes is kept and flagged, so nobody's work disappears.
   */
  private async afterImport(manager: EntityManager, courseId: number, loaded: LoadedCourse): Promise<void> {
    const now = new Date();
    const run = await this.refresh.start(manager, courseId, now);
    const images = await this.images.importFolder(loaded.folder, loaded.images);
    const row = await this.drafts.findRow(manager, courseId);
    const course = await this.courses.findCourseById(courseId, manager);
    if (row && course) {
      const rebased = row.version === row.publishedVersion;
      const content = rebased
        ? rebaseDraft(row.content, await this.drafts.liveSnapshot(course, manager))
        : { ...row.content, liveReplacedByImportAt: now.toISOString() };
      // A trainer saving at this very moment wins; the import itself must not fail for it.
      if (!(await this.drafts.tryWrite(manager, courseId, row, content, null, rebased)))
        this.logger.warn(`draft of ${loaded.slug} changed during the import; left as it was`);
    }
    await this.audit.record(manager, {
      actor: null,
      action: 'content_imported',
      courseId,
      target: loaded.slug,
      detail: `${loaded.definition.modules.length} lessons, ${loaded.quizzes.length} quizzes, ${images} new images; ${run.total} learners' progress to recompute`,
    });
  }
}
