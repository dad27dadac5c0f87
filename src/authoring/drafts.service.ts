import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Course } from '../courses/course.entity';
import { CoursesService } from '../courses/courses.service';
import { TransactionRunner } from '../database/transaction-runner';
import { QuizzesService } from '../quizzes/quizzes.service';
import { DraftBusyError } from './authoring-errors';
import { DraftContent, draftFromLive } from './draft-content';
import { CourseDraft } from './entities/course-draft.entity';

export interface DraftState {
  content: DraftContent;
  /** 0 while nobody has edited the course in the browser (the draft is the live course). */
  version: number;
  publishedVersion: number | null;
  updatedAt: Date | null;
  updatedBy: number | null;
  hasUnpublishedChanges: boolean;
}

/** The draft changed between reading and writing it: the whole read-modify-write runs again. */
class DraftRaceError extends Error {}

const MAX_ATTEMPTS = 5;

/**
 * Reads and changes course drafts. A change is a read-modify-write inside one transaction that
 * only writes if the draft still has the version it read; otherwise it starts over, so two
 * saves at once never lose one another (per-lesson revisions then decide whether the second
 * save conflicts with the first).
 */
@Injectable()
export class DraftsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionRunner,
    private readonly courses: CoursesService,
    private readonly quizzes: QuizzesService,
  ) {}

  /** The live course (lessons, quizzes, questions) as a draft. */
  async liveSnapshot(
    course: Course,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<DraftContent> {
    const modules = await this.courses.activeModules(course.id, manager);
    const slugById = new Map(modules.map((m) => [m.id, m.slug]));
    const quizzes = [];
    for (const quiz of await this.quizzes.listCourseQuizzes(course.id, manager)) {
      const questions = (await this.quizzes.activeQuestions(quiz.id, manager)).map((q) => ({
        ...q.definition,
        name: q.name,
      }));
      quizzes.push({
        quiz,
        moduleSlug: quiz.moduleId ? (slugById.get(quiz.moduleId) ?? null) : null,
        questions,
      });
    }
    return draftFromLive(course, modules, quizzes);
  }

  findRow(manager: EntityManager, courseId: number): Promise<CourseDraft | null> {
    return manager.getRepository(CourseDraft).findOneBy({ courseId });
  }

  async read(course: Course): Promise<DraftState> {
    const row = await this.findRow(this.dataSource.manager, course.id);
    if (!row) {
      return {
        content: await this.liveSnapshot(course),
        version: 0,
        publishedVersion: 0,
        updatedAt: null,
        updatedBy: null,
        hasUnpublishedChanges: false,
      };
    }
    return {
      content: row.content,
      version: row.version,
      publishedVersion: row.publishedVersion,
      updatedAt: row.updatedAt,
      updatedBy: row.updatedBy,
      hasUnpublishedChanges: row.version !== row.publishedVersion,
    };
  }

  /** Stores the first draft of a course created in the browser (never published). */
  async create(
    manager: EntityManager,
    courseId: number,
    content: DraftContent,
    userId: number,
  ): Promise<void> {
    await manager
      .getRepository(CourseDraft)
      .insert({
        courseId,
        version: 1,
        publishedVersion: null,
        content,
        updatedBy: userId,
        updatedAt: new Date(),
      });
  }

  /**
   * Applies `work` to the draft and saves it as a new version, in one transaction. `work`
   * changes the content in place and may throw (a conflict, a form error): then nothing is saved.
   */
  change<T>(
    course: Course,
    userId: number | null,
    work: (draft: DraftContent, manager: EntityManager) => T | Promise<T>,
  ): Promise<T> {
    return this.retryOnRace(() =>
      this.transactions.run(async (manager) => {
        const row = await this.findRow(manager, course.id);
        const draft: DraftContent = structuredClone(
          row ? row.content : await this.liveSnapshot(course, manager),
        );
        const result = await work(draft, manager);
        if (!(await this.tryWrite(manager, course.id, row, draft, userId))) throw new DraftRaceError();
        return result;
      }),
    );
  }

  /**
   * Writes the draft if it is still at the version `row` had (compare-and-set); false when
   * someone wrote it meanwhile. `published`: the content is what is now live.
   */
  async tryWrite(
    manager: EntityManager,
    courseId: number,
    row: CourseDraft | null,
    content: DraftContent,
    userId: number | null,
    published = false,
  ): Promise<boolean> {
    const drafts = manager.getRepository(CourseDraft);
    const now = new Date();
    if (!row) {
      try {
        // Materialised from the live course: that was version 0, so unless it changed now it counts as published.
        await drafts.insert({
          courseId,
          version: 1,
          publishedVersion: published ? 1 : 0,
          content,
          updatedBy: userId,
          updatedAt: now,
        });
        return true;
      } catch (error) {
        if (/duplicate|unique/i.test(String((error as Error).message))) return false;
        throw error;
      }
    }
    const version = row.version + 1;
    const result = await drafts.update(
      { id: row.id, version: row.version },
      {
        content,
        version,
        updatedBy: userId,
        updatedAt: now,
        ...(published ? { publishedVersion: version } : {}),
      },
    );
    return (result.affected ?? 0) === 1;
  }

  /** Marks the draft's current version as the published one; a race if it moved meanwhile. */
  async markPublished(manager: EntityManager, row: CourseDraft): Promise<void> {
    const result = await manager
      .getRepository(CourseDraft)
      .update({ id: row.id, version: row.version }, { publishedVersion: row.version });
    if ((result.affected ?? 0) !== 1) throw new DraftRaceError();
  }

  /** Throws the error retryOnRace starts over on. */
  raceLost(): never {
    throw new DraftRaceError();
  }

  async retryOnRace<T>(attempt: () => Promise<T>): Promise<T> {
    for (let i = 1; ; i++) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof DraftRaceError)) throw error;
        if (i >= MAX_ATTEMPTS) throw new DraftBusyError();
      }
    }
  }
}
