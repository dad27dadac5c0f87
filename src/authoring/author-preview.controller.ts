import { Controller, Get, Param, ParseIntPipe, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CurrentUser } from '../auth/current-user.decorator';
import { User } from '../users/user.entity';
import { RequireRole } from '../auth/roles.decorator';
import { NotFoundError } from '../common/domain-error';
import { storedImageTag } from '../common/image-info';
import { Course } from '../courses/course.entity';
import { renderMarkdown } from '../courses/markdown';
import { courseHeader } from './author-pages';
import { CourseAccessService } from './course-access.service';
import { DraftContent } from './draft-content';
import { DraftsService } from './drafts.service';

/**
 * "Preview as learner": the draft rendered by the learner's own templates (course page and
 * lessons, through the same Markdown sanitizer), framed by a preview banner. Links between
 * the learner pages are pointed at the preview; the learner's buttons (enrol, mark complete)
 * are left out, as nothing in a preview may change anyone's progress.
 */
@Controller('author/courses/:id/preview')
@RequireRole('trainer')
export class AuthorPreviewController {
  constructor(
    private readonly access: CourseAccessService,
    private readonly drafts: DraftsService,
  ) {}

  @Get()
  async coursePage(@Param('id', ParseIntPipe) id: number, @CurrentUser() user: User, @Res() res: Response) {
    const access = await this.access.access(user, id);
    const draft = (await this.drafts.read(access.course)).content;
    const checksAfter = (slug: string) =>
      draft.quizzes
        .filter((q) => !q.final && q.module === slug)
        .map((q) => ({ slug: q.slug, title: q.title, passed: false }));
    const final = draft.quizzes.find((q) => q.final);
    const html = await this.renderLearnerView(res, 'courses/show', {
      course: {
        ...this.learnerCourse(access.course.slug, draft),
        hours: Math.round((draft.estimatedMinutes / 60) * 10) / 10,
      },
      modules: draft.modules.map((m, i) => ({
        ...m,
        number: i + 1,
        done: false,
        checks: checksAfter(m.slug),
      })),
      finalQuiz: final
        ? { slug: final.slug, title: final.title, passMark: final.passMark, passed: false, awaiting: false }
        : undefined,
      finalPending: false,
      enrollment: { progressPercent: 0, completedAt: null },
      completed: false,
      nextModule: draft.modules[0],
    });
    this.renderPreview(res, access.course, draft, html, null);
  }

  @Get('lessons/:slug')
  async lessonPage(
    @Param('id', ParseIntPipe) id: number,
    @Param('slug') slug: string,
    @CurrentUser() user: User,
    @Res() res: Response,
  ) {
    const access = await this.access.access(user, id);
    const draft = (await this.drafts.read(access.course)).content;
    const index = draft.modules.findIndex((m) => m.slug === slug);
    if (index < 0) throw new NotFoundError('errors.lesson_not_found');
    const module = draft.modules[index];
    const html = await this.renderLearnerView(res, 'lessons/show', {
      course: this.learnerCourse(access.course.slug, draft),
      module: { ...module, bodyHtml: renderMarkdown(module.bodyMarkdown) },
      position: index + 1,
      moduleCount: draft.modules.length,
      done: false,
      previous: draft.modules[index - 1],
      next: draft.modules[index + 1],
      checks: draft.quizzes.filter((q) => !q.final && q.module === slug),
      finalQuiz: index === draft.modules.length - 1 ? draft.quizzes.find((q) => q.final) : undefined,
      percent: 0,
      completed: false,
    });
    this.renderPreview(res, access.course, draft, html, module.slug);
  }

  private learnerCourse(slug: string, draft: DraftContent) {
    return {
      slug,
      title: draft.title,
      summary: draft.summary,
      language: draft.language,
      level: draft.level,
      outcomes: draft.outcomes,
      cover: storedImageTag(draft.coverImage),
    };
  }

  /** A learner template rendered on its own (no layout), to frame in the preview page. */
  private renderLearnerView(res: Response, view: string, context: Record<string, unknown>): Promise<string> {
    return new Promise((resolve, reject) =>
      res.render(view, { ...context, layout: false }, (error, html) =>
        error ? reject(error) : resolve(html),
      ),
    );
  }

  private renderPreview(
    res: Response,
    course: Course,
    draft: DraftContent,
    learnerHtml: string,
    current: string | null,
  ) {
    const live = `/courses/${course.slug}`;
    const preview = `/author/courses/${course.id}/preview`;
    const html = learnerHtml
      .replace(/<form\b[\s\S]*?<\/form>/g, '')
      .split(`href="${live}/modules/`)
      .join(`href="${preview}/lessons/`)
      .split(`href="${live}/quizzes/`)
      .join(`href="/author/courses/${course.id}/quizzes/`)
      .split(`href="${live}"`)
      .join(`href="${preview}"`);
    res.render('author/preview', {
      course: courseHeader(course),
      pageTitle: draft.title,
      learnerHtml: html,
      lessons: draft.modules.map((m) => ({ slug: m.slug, title: m.title, current: m.slug === current })),
      onCoursePage: current === null,
    });
  }
}
