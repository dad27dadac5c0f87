import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { csrfToken } from '../auth/csrf';
import { CurrentUser } from '../auth/current-user.decorator';
import { User } from '../users/user.entity';
import { RequireRole } from '../auth/roles.decorator';
import { FormInvalidError } from '../common/domain-error';
import { IMAGE_MAX_BYTES, storedImageTag } from '../common/image-info';
import { renderForm } from '../common/forms';
import { CourseRefreshService } from '../enrollments/course-refresh.service';
import { I18nService } from '../i18n/i18n.service';
import { QuizzesService } from '../quizzes/quizzes.service';
import { courseHeader, settingsOptions, settingsValues, translateProblems } from './author-pages';
import { readCourseSettings, readNewCourse, revisionOf } from './authoring-forms';
import { uploadedFile } from './authoring-upload.middleware';
import { AuthoringService } from './authoring.service';
import { SettingsChangedError } from './authoring-errors';
import { CourseAccess, CourseAccessService } from './course-access.service';
import { CourseExportService } from './course-export.service';
import { DraftProblem } from './draft-problems';
import { DraftsService } from './drafts.service';
import { PublishingService } from './publishing.service';

/** The authoring area: my courses, a new course, a course's overview, settings, authors, publishing and export. */
@Controller('author')
@RequireRole('trainer')
export class AuthorCoursesController {
  constructor(
    private readonly access: CourseAccessService,
    private readonly authoring: AuthoringService,
    private readonly drafts: DraftsService,
    private readonly publishing: PublishingService,
    private readonly exports: CourseExportService,
    private readonly quizzes: QuizzesService,
    private readonly i18n: I18nService,
    private readonly refresh: CourseRefreshService,
  ) {}

  @Get()
  async index(@CurrentUser() user: User, @Res() res: Response) {
    const rows = await this.access.coursesFor(user);
    res.render('author/index', {
      courses: rows.map(({ course, role }) => ({
        ...courseHeader(course),
        roleKey: role ? `author.role.${role}` : null,
      })),
      isAdmin: user.role === 'admin',
    });
  }

  @Get('courses/new')
  newCourse(@Req() req: Request, @Res() res: Response) {
    renderForm(req, res, 'author/new', {
      values: { language: 'en', level: 'beginner' },
      ...settingsOptions({}),
    });
  }

  @Post('courses')
  @HttpCode(200)
  async create(@Body() body: Record<string, unknown>, @CurrentUser() user: User, @Req() req: Request, @Res() res: Response) {
    try {
      const course = await this.authoring.createCourse(user, readNewCourse(body));
      res.redirect(303, `/author/courses/${course.id}`);
    } catch (error) {
      if (!(error instanceof FormInvalidError)) throw error;
      renderForm(req, res, 'author/new', { ...settingsOptions(body as Record<string, string>) }, error);
    }
  }

  @Get('courses/:id')
  async overview(
    @Param('id', ParseIntPipe) id: number,
    @CurrentUser() user: User,
    @Req() req: Request,
    @Res() res: Response,
    @Query('done') done?: string,
  ) {
    const access = await this.access.access(user, id);
    await this.renderOverview(req, res, access, {
      done: typeof done === 'string' ? `author.done.${done.replace(/[^a-z_]/g, '')}` : null,
    });
  }

  private async renderOverview(
    req: Request,
    res: Response,
    access: CourseAccess,
    extra: {
      done?: string | null;
      publishProblems?: DraftProblem[];
      authorErrors?: Record<string, string>;
      authorValues?: Record<string, string>;
    },
  ) {
    const state = await this.drafts.read(access.course);
    const draft = state.content;
    const live = new Map((await this.quizzes.listCourseQuizzes(access.course.id)).map((q) => [q.slug, q.id]));
    const problems = extra.publishProblems ?? this.publishing.problems(draft);
    res.render('author/course', {
      course: courseHeader(access.course),
      pageTitle: draft.title,
      draft: { ...draft, hours: Math.round((draft.estimatedMinutes / 60) * 100) / 100 },
      state,
      lessons: draft.modules.map((m, i) => ({
        ...m,
        number: i + 1,
        first: i === 0,
        last: i === draft.modules.length - 1,
      })),
      quizzes: draft.quizzes.map((q) => ({
        ...q,
        questionCount: q.questions.length,
        placement: q.final ? null : (draft.modules.find((m) => m.slug === q.module)?.title ?? q.module),
        liveId: live.get(q.slug) ?? null,
      })),
      lessonSlugs: draft.modules.map((m) => ({ value: m.slug, label: m.title })),
      problems: translateProblems(this.i18n, res, problems),
      publishFailed: !!extra.publishProblems,
      refresh: await this.refresh.latest(access.course.id),
      done: extra.done,
      isPublished: access.course.status === 'published',
      isArchived: access.course.status === 'archived',
      authors: await this.access.listAuthors(access.course.id),
      canManageAuthors: access.canManageAuthors,
      isAdmin: access.isAdmin,
      authorErrors: extra.authorErrors ?? {},
      authorValues: extra.authorValues ?? {},
      csrfToken: csrfToken(req),
    });
  }

  @Get('courses/:id/settings')
  async settings(
    @Param('id', ParseIntPipe) id: number,
    @CurrentUser() user: User,
    @Req() req: Request,
    @Res() res: Response,
    @Query('done') done?: string,
  ) {
    const access = await this.access.access(user, id);
    const { content } = await this.drafts.read(access.course);
    const values = settingsValues(content);
    renderForm(req, res, 'author/settings', {
      ...this.settingsPage(access, content.coverImage),
      values,
      ...settingsOptions(values),
      done: done === 'cover_set' || done === 'cover_removed' ? `author.done.${done}` : null,
    });
  }

  private settingsPage(access: CourseAccess, coverImage: string | null | undefined) {
    return {
      course: courseHeader(access.course),
      cover: storedImageTag(coverImage),
      imageMaxMb: IMAGE_MAX_BYTES / (1024 * 1024),
    };
  }

  /** The cover picture has its own small form on the settings page: upload a new one, or remove it. */
  @Post('courses/:id/cover')
  @HttpCode(200)
  async saveCover(
    @Param('id', ParseIntPipe) id: number,
    @Body() body: Record<string, unknown>,
    @CurrentUser() user: User,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const access = await this.access.access(user, id);
    try {
      const remove = body.action === 'remove';
      await this.authoring.setCover(user, access, remove ? null : (uploadedFile(req, 'cover')?.data ?? Buffer.alloc(0)));
      res.redirect(303, `/author/courses/${id}/settings?done=${remove ? 'cover_removed' : 'cover_set'}`);
    } catch (error) {
      if (!(error instanceof FormInvalidError)) throw error;
      // The settings form below shows what is saved; nothing the trainer typed there was sent with this form.
      const { content } = await this.drafts.read(access.course);
      const values = settingsValues(content);
      renderForm(req, res, 'author/settings', { ...this.settingsPage(access, content.coverImage), ...settingsOptions(values), values }, error);
    }
  }

  @Post('courses/:id/settings')
  @HttpCode(200)
  async saveSettings(
    @Param('id', ParseIntPipe) id: number,
    @Body() body: Record<string, unknown>,
    @CurrentUser() user: User,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const access = await this.access.access(user, id);
    try {
      await this.authoring.saveSettings(user, access, readCourseSettings(body), revisionOf(body));
      res.redirect(303, `/author/courses/${id}?done=settings`);
    } catch (error) {
      if (error instanceof SettingsChangedError) {
        // Someone else saved the settings: show theirs next to what this trainer typed.
        const { content } = await this.drafts.read(access.course);
        res.status(409);
        return renderForm(req, res, 'author/settings', {
          ...this.settingsPage(access, content.coverImage),
          values: { ...(body as Record<string, string>), revision: String(content.revision) },
          conflict: settingsValues(content),
          ...settingsOptions(body as Record<string, string>),
        });
      }
      if (!(error instanceof FormInvalidError)) throw error;
      const { content } = await this.drafts.read(access.course);
      renderForm(
        req,
        res,
        'author/settings',
        { ...this.settingsPage(access, content.coverImage), ...settingsOptions(body as Record<string, string>) },
        error,
      );
    }
  }

  @Post('courses/:id/publish')
  @HttpCode(200)
  async publish(@Param('id', ParseIntPipe) id: number, @CurrentUser() user: User, @Req() req: Request, @Res() res: Response) {
    const access = await this.access.access(user, id);
    const result = await this.publishing.publish(user, access);
    if (result.problems.length === 0) return res.redirect(303, `/author/courses/${id}?done=published`);
    res.status(422);
    await this.renderOverview(req, res, access, { publishProblems: result.problems });
  }

  @Post('courses/:id/unpublish')
  @HttpCode(200)
  async unpublish(@Param('id', ParseIntPipe) id: number, @CurrentUser() user: User, @Res() res: Response) {
    await this.publishing.withdraw(user, await this.access.access(user, id), 'draft');
    res.redirect(303, `/author/courses/${id}?done=unpublished`);
  }

  @Post('courses/:id/archive')
  @HttpCode(200)
  async archive(@Param('id', ParseIntPipe) id: number, @CurrentUser() user: User, @Res() res: Response) {
    await this.publishing.withdraw(user, await this.access.access(user, id), 'archived');
    res.redirect(303, `/author/courses/${id}?done=archived`);
  }

  @Post('courses/:id/authors')
  @HttpCode(200)
  async addCoauthor(
    @Param('id', ParseIntPipe) id: number,
    @Body('email') email: unknown,
    @CurrentUser() user: User,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const access = await this.access.access(user, id);
    try {
      await this.authoring.addCoauthor(user, access, typeof email === 'string' ? email : '');
      res.redirect(303, `/author/courses/${id}?done=author_added#authors`);
    } catch (error) {
      if (!(error instanceof FormInvalidError)) throw error;
      res.status(400);
      await this.renderOverview(req, res, access, { authorErrors: error.fields, authorValues: { email: String(email ?? '') } });
    }
  }

  @Post('courses/:id/authors/:userId/remove')
  @HttpCode(200)
  async removeCoauthor(
    @Param('id', ParseIntPipe) id: number,
    @Param('userId', ParseIntPipe) userId: number,
    @CurrentUser() user: User,
    @Res() res: Response,
  ) {
    await this.authoring.removeCoauthor(user, await this.access.access(user, id), userId);
    res.redirect(303, `/author/courses/${id}?done=author_removed#authors`);
  }

  @Post('courses/:id/owner')
  @HttpCode(200)
  async assignOwner(
    @Param('id', ParseIntPipe) id: number,
    @Body('ownerEmail') email: unknown,
    @CurrentUser() user: User,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const access = await this.access.access(user, id);
    try {
      await this.authoring.assignOwner(user, access, typeof email === 'string' ? email : '');
      res.redirect(303, `/author/courses/${id}?done=owner_assigned#authors`);
    } catch (error) {
      if (!(error instanceof FormInvalidError)) throw error;
      res.status(400);
      await this.renderOverview(req, res, access, { authorErrors: error.fields, authorValues: { ownerEmail: String(email ?? '') } });
    }
  }

  /** The draft as a content/ folder in a ZIP (what `npm run content:export -- <slug> --draft` writes). */
  @Get('courses/:id/export.zip')
  async exportZip(
    @Param('id', ParseIntPipe) id: number,
    @CurrentUser() user: User,
    @Res() res: Response,
    @Query('source') source?: string,
  ) {
    const access = await this.access.access(user, id);
    const zip = await this.exports.zip(
      { id: user.id, email: user.email },
      access.course,
      source === 'live' ? 'live' : 'draft',
    );
    res.set({
      'Content-Type': 'application/zip',
      'Content-Disposition': `attachment; filename="${access.course.slug}.zip"`,
      'Cache-Control': 'no-store',
    });
    res.send(zip);
  }
}
