import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { ZipWriter } from '../common/zip-writer';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import {
  courseFolderFiles,
  ExportableCourse,
  ExportedFile,
  writeCourseFolder,
} from '../content/content-exporter';
import { ContentProblem, loadCourseFolder } from '../content/content-loader';
import { Course } from '../courses/course.entity';
import { CoursesService } from '../courses/courses.service';
import { TransactionRunner } from '../database/transaction-runner';
import { QuizzesService } from '../quizzes/quizzes.service';
import { courseDefinitionOf, DraftContent, quizDefinitionsOf } from './draft-content';
import { DraftsService } from './drafts.service';
import { LessonImagesService } from './lesson-images.service';

export type ExportSource = 'live' | 'draft';

/**
 * A course as the content/ folder format, from the live course or from its draft: written into
 * a content root (`npm run content:export`) or handed out as a ZIP (the authoring area).
 */
@Injectable()
export class CourseExportService {
  constructor(
    private readonly courses: CoursesService,
    private readonly quizzes: QuizzesService,
    private readonly drafts: DraftsService,
    private readonly images: LessonImagesService,
    private readonly transactions: TransactionRunner,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private async contentOf(course: Course, source: ExportSource): Promise<DraftContent> {
    return source === 'draft' ? (await this.drafts.read(course)).content : this.drafts.liveSnapshot(course);
  }

  async exportable(
    course: Course,
    source: ExportSource,
  ): Promise<{ course: ExportableCourse; images: ExportedFile[] }> {
    const content = await this.contentOf(course, source);
    return {
      course: { definition: courseDefinitionOf(course.slug, content), quizzes: quizDefinitionsOf(content) },
      images: await this.images.filesFor(
        content.modules.map((m) => m.bodyMarkdown),
        content.coverImage ?? null,
      ),
    };
  }

  /**
   * Writes `<root>/courses/<slug>/` and checks it as the importer would (a course never published
   * has no live lessons yet: its folder does not import until it has). Exporting the live course
   * into the site's own content/ records the folder's hash, so the next import sees nothing new.
   */
  async writeFolder(
    slug: string,
    options: { source?: ExportSource; root?: string } = {},
  ): Promise<{ folder: string; course: Course; problems: ContentProblem[] } | null> {
    const course = await this.courses.findCourseBySlug(slug);
    if (!course) return null;
    const source = options.source ?? 'live';
    const root = options.root ?? this.config.contentDir;
    const { course: exportable, images } = await this.exportable(course, source);
    const folder = writeCourseFolder(root, exportable, images);
    const loaded = loadCourseFolder(root, folder, (text) => this.quizzes.checkGiftSource(text));
    await this.transactions.run(async (manager) => {
      if (source === 'live' && root === this.config.contentDir && loaded.ok)
        await this.courses.setContentHash(manager, course.id, loaded.course.hash);
      await this.audit.record(manager, {
        actor: null,
        action: 'content_exported',
        courseId: course.id,
        target: slug,
        detail: `${source} → ${folder}`,
      });
    });
    return { folder, course, problems: loaded.ok ? [] : loaded.problems };
  }

  /** The course folder as a ZIP (`<slug>/course.yaml`, …), for a trainer to download. */
  async zip(actor: { id: number; email: string }, course: Course, source: ExportSource): Promise<Buffer> {
    const { course: exportable, images } = await this.exportable(course, source);
    await this.transactions.run((manager) =>
      this.audit.record(manager, {
        actor,
        action: 'content_exported',
        courseId: course.id,
        target: course.slug,
        detail: `${source} (ZIP)`,
      }),
    );
    const zip = new ZipWriter();
    const now = new Date();
    const chunks = [...courseFolderFiles(exportable), ...images].flatMap((file) =>
      zip.add(`${course.slug}/${file.path}`, file.data, now, { compress: !file.path.startsWith('images/') }),
    );
    return Buffer.concat([...chunks, zip.finish()]);
  }
}
