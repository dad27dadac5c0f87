import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CurrentUser } from '../auth/current-user.decorator';
import { User } from '../users/user.entity';
import { RequireRole } from '../auth/roles.decorator';
import { FormInvalidError, NotFoundError } from '../common/domain-error';
import { renderForm } from '../common/forms';
import { renderMarkdown } from '../courses/markdown';
import { I18nService } from '../i18n/i18n.service';
import { courseHeader } from './author-pages';
import { readLesson, readNewPart, revisionOf } from './authoring-forms';
import { LessonChangedError, LessonGoneError } from './authoring-errors';
import { AuthoringService } from './authoring.service';
import { uploadedFile } from './authoring-upload.middleware';
import { CourseAccess, CourseAccessService } from './course-access.service';
import { DraftModule, LIMITS, moduleBySlug } from './draft-content';
import { DraftsService } from './drafts.service';
import { lessonStats } from './lesson-stats';
import { IMAGE_MAX_BYTES } from '../common/image-info';

type Body = Record<string, unknown>;

interface LessonPageExtra {
  previewHtml?: string;
  uploaded?: string;
  saved?: boolean;
  conflict?: DraftModule | null;
  gone?: boolean;
}

/** Lessons of a course's draft: add, edit (with preview and image upload), reorder, delete. */
@Controller('author/courses/:id/lessons')
@RequireRole('trainer')
export class AuthorLessonsController {
  constructor(
    private readonly access: CourseAccessService,
    private readonly authoring: AuthoringService,
    private readonly drafts: DraftsService,
    private readonly i18n: I18nService,
  ) {}

  @Post()
  @HttpCode(200)
  async add(
    @Param('id', ParseIntPipe) id: number,
    @Body() body: Body,
    @CurrentUser() user: User,
    @Res() res: Response,
  ) {
    const access = await this.access.access(user, id);
    const slug = await this.authoring.addLesson(user, access, readNewPart(body));
    res.redirect(303, `/author/courses/${id}/lessons/${slug}`);
  }

  @Get(':slug')
  async edit(
    @Param('id', ParseIntPipe) id: number,
    @Param('slug') slug: string,
    @CurrentUser() user: User,
    @Req() req: Request,
    @Res() res: Response,
    @Query('saved') saved?: string,
  ) {
    const access = await this.access.access(user, id);
    const lesson = moduleBySlug((await this.drafts.read(access.course)).content, slug);
    if (!lesson) throw new NotFoundError('errors.lesson_not_found');
    const values = {
      title: lesson.title,
      minutes: String(lesson.minutes),
      required: lesson.required ? 'on' : '',
      bodyMarkdown: lesson.bodyMarkdown,
      revision: String(lesson.revision),
    };
    renderForm(req, res, 'author/lesson', this.page(access, slug, lesson, values, { saved: !!saved }));
  }

  /**
   * One form, three buttons: Preview (render what was typed, save nothing), Upload image (store
   * it and add its Markdown to the text, save nothing) and Save. The text typed is never lost.
   */
  @Post(':slug')
  @HttpCode(200)
  async save(
    @Param('id', ParseIntPipe) id: number,
    @Param('slug') slug: string,
    @Body() body: Body,
    @CurrentUser() user: User,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const access = await this.access.access(user, id);
    const lesson = moduleBySlug((await this.drafts.read(access.course)).content, slug);
    const typed: Record<string, string> = {
      ...(body as Record<string, string>),
      required: body.required ? 'on' : '',
    };
    const action = body.action;
    if (action === 'preview') {
      return renderForm(
        req,
        res,
        'author/lesson',
        this.page(access, slug, lesson ?? null, typed, {
          previewHtml: renderMarkdown(String(body.bodyMarkdown ?? '')),
        }),
      );
    }
    if (action === 'upload') return this.upload(user, req, res, access, slug, lesson ?? null, typed);
    try {
      await this.authoring.saveLesson(user, access, slug, readLesson(body), revisionOf(body));
      res.redirect(303, `/author/courses/${id}/lessons/${slug}?saved=1`);
    } catch (error) {
      if (error instanceof LessonChangedError || error instanceof LessonGoneError) {
        // Nothing was overwritten: show what is saved now next to what this trainer typed.
        const current = moduleBySlug((await this.drafts.read(access.course)).content, slug) ?? null;
        res.status(409);
        const values = { ...typed, revision: current ? String(current.revision) : typed.revision };
        return renderForm(
          req,
          res,
          'author/lesson',
          this.page(access, slug, current ?? lesson ?? null, values, { conflict: current, gone: !current }),
        );
      }
      if (!(error instanceof FormInvalidError)) throw error;
      renderForm(req, res, 'author/lesson', this.page(access, slug, lesson ?? null, typed), error);
    }
  }

  /**
   * The editor script's live preview: the text as the learner page will show it (same renderer,
   * same sanitizer) and its word count. Saves nothing; without JavaScript the Preview button does this.
   */
  @Post(':slug/preview')
  @HttpCode(200)
  async livePreview(
    @Param('id', ParseIntPipe) id: number,
    @Param('slug') slug: string,
    @Body() body: Body,
    @CurrentUser() user: User,
    @Res() res: Response,
  ) {
    const access = await this.access.access(user, id);
    if (!moduleBySlug((await this.drafts.read(access.course)).content, slug))
      throw new NotFoundError('errors.lesson_not_found');
    const markdown = typeof body.bodyMarkdown === 'string' ? body.bodyMarkdown : '';
    if (markdown.length > LIMITS.lessonChars) throw new FormInvalidError({ bodyMarkdown: 'author.lesson_too_long' });
    const stats = lessonStats(markdown, access.course.language);
    res.json({
      html: renderMarkdown(markdown),
      stats: this.i18n.translate(res.locals.locale ?? 'en', 'author.word_count', {
        words: stats.words,
        minutes: stats.readingMinutes,
      }),
    });
  }

  private async upload(
    user: User,
    req: Request,
    res: Response,
    access: CourseAccess,
    slug: string,
    lesson: DraftModule | null,
    typed: Record<string, string>,
  ) {
    const file = uploadedFile(req, 'image');
    try {
      const image = await this.authoring.uploadImage(
        user,
        access,
        slug,
        file?.data ?? Buffer.alloc(0),
      );
      const alt = (typed.imageAlt ?? '').replace(/[[\]\r\n]/g, ' ').trim();
      const bodyMarkdown = `${(typed.bodyMarkdown ?? '').trimEnd()}\n\n![${alt}](${image.url})\n`;
      renderForm(
        req,
        res,
        'author/lesson',
        this.page(access, slug, lesson, { ...typed, bodyMarkdown, imageAlt: '' }, { uploaded: image.url }),
      );
    } catch (error) {
      if (!(error instanceof FormInvalidError)) throw error;
      renderForm(req, res, 'author/lesson', this.page(access, slug, lesson, typed), error);
    }
  }

  private page(
    access: CourseAccess,
    slug: string,
    lesson: DraftModule | null,
    values: Record<string, string>,
    extra: LessonPageExtra = {},
  ) {
    return {
      course: courseHeader(access.course),
      slug,
      lesson,
      pageTitle: values.title || lesson?.title,
      values,
      stats: lessonStats(values.bodyMarkdown ?? '', access.course.language),
      imageMaxMb: IMAGE_MAX_BYTES / (1024 * 1024),
      authorScript: true,
      ...extra,
    };
  }

  @Post(':slug/move')
  @HttpCode(200)
  async move(
    @Param('id', ParseIntPipe) id: number,
    @Param('slug') slug: string,
    @Body('direction') direction: unknown,
    @CurrentUser() user: User,
    @Res() res: Response,
  ) {
    const access = await this.access.access(user, id);
    await this.authoring.moveLesson(user, access, slug, direction === 'up' ? 'up' : 'down');
    res.redirect(303, `/author/courses/${id}#lessons`);
  }

  @Post(':slug/delete')
  @HttpCode(200)
  async remove(
    @Param('id', ParseIntPipe) id: number,
    @Param('slug') slug: string,
    @CurrentUser() user: User,
    @Res() res: Response,
  ) {
    const access = await this.access.access(user, id);
    await this.authoring.deleteLesson(user, access, slug);
    res.redirect(303, `/author/courses/${id}?done=lesson_deleted#lessons`);
  }
}
