import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { CoursesService } from '../courses/courses.service';
import { TransactionRunner } from '../database/transaction-runner';
import { QuizzesService } from '../quizzes/quizzes.service';
import { ContentProblem, CourseLoadResult, listCourseFolders, loadCourseFolder, LoadedCourse } from './content-loader';

export interface ImportReport {
  imported: string[];
  unchanged: string[];
  failed: { slug: string; problems: ContentProblem[] }[];
}

/**
 * Called inside the transaction that imports a changed course folder, after its course and
 * quizzes are written, so a listener's writes commit or roll back with the import. Higher
 * modules (authoring) register here; content never imports them.
 */
export type CourseImportListener = (manager: EntityManager, courseId: number, course: LoadedCourse) => Promise<void>;

export function formatProblem(problem: ContentProblem): string {
  return `${problem.file}${problem.line ? `:${problem.line}` : ''}: ${problem.message}`;
}

@Injectable()
export class ContentService {
  private readonly logger = new Logger('Content');
  private readonly importListeners: CourseImportListener[] = [];

  constructor(
    private readonly courses: CoursesService,
    private readonly transactions: TransactionRunner,
    private readonly quizzes: QuizzesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onCourseImported(listener: CourseImportListener): void {
    this.importListeners.push(listener);
  }

  /** Size of a loaded course, as reported by `content:check`. */
  statistics(course: LoadedCourse) {
    const items = course.quizzes.map((quiz) => ({ quiz, questions: this.quizzes.parseQuestions(quiz.source) }));
    const all = items.flatMap((i) => i.questions);
    return {
      lessons: course.definition.modules.length,
      words: course.definition.modules.reduce((sum, m) => sum + m.bodyMarkdown.split(/\s+/).filter(Boolean).length, 0),
      quizItems: all.length,
      itemsWithFeedback: all.filter((q) => q.generalFeedback?.trim()).length,
      finalPool: items.find((i) => i.quiz.final)?.questions.length ?? 0,
    };
  }

  checkAll(contentRoot = this.config.contentDir): CourseLoadResult[] {
    return listCourseFolders(contentRoot).map((folder) => loadCourseFolder(contentRoot, folder, (source) => this.quizzes.checkGiftSource(source)));
  }

  /**
   * Imports every valid course folder. A course with any problem is left exactly as it was
   * (each course is one transaction); the others are imported. Unchanged folders are skipped.
   */
  async importAll(contentRoot = this.config.contentDir): Promise<ImportReport> {
    const report: ImportReport = { imported: [], unchanged: [], failed: [] };
    for (const result of this.checkAll(contentRoot)) {
      if (!result.ok) {
        report.failed.push({ slug: result.slug, problems: result.problems });
        for (const problem of result.problems) this.logger.error(formatProblem(problem));
        continue;
      }
      const existing = await this.courses.findCourseBySlug(result.course.slug);
      if (existing?.contentHash === result.course.hash) {
        report.unchanged.push(result.course.slug);
        continue;
      }
      await this.transactions.run(async (manager) => {
        const course = await this.courses.saveCourseDefinition(manager, result.course.definition, result.course.hash);
        const modules = await this.courses.activeModules(course.id, manager);
        await this.quizzes.saveFromContent(manager, course.id, result.course.quizzes, new Map(modules.map((m) => [m.slug, m.id])));
        for (const listener of this.importListeners) await listener(manager, course.id, result.course);
      });
      report.imported.push(result.course.slug);
    }
    this.logger.log(
      `content/: ${report.imported.length} imported, ${report.unchanged.length} unchanged, ${report.failed.length} with problems`,
    );
    return report;
  }
}
