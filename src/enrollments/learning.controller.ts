import { Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { storedImageTag } from '../common/image-info';
import { csrfToken } from '../auth/csrf';
import { CurrentUser } from '../auth/current-user.decorator';
import { Public, RequireRole } from '../auth/roles.decorator';
import { NotFoundError } from '../common/domain-error';
import { CoursesService } from '../courses/courses.service';
import { QuizzesService } from '../quizzes/quizzes.service';
import { User } from '../users/user.entity';
import { DashboardSections } from './dashboard-sections';
import { EnrollmentsService } from './enrollments.service';
import { LessonExtensions, LessonNotReadyError } from './lesson-extensions';

const NOT_READY_KEYS = /^[a-z_]+\.[a-z_]+$/;

/** The learner's side of a course: the course page with my progress, lessons, completion, dashboard. */
@Controller()
export class LearningController {
  constructor(
    private readonly courses: CoursesService,
    private readonly enrollments: EnrollmentsService,
    private readonly quizzes: QuizzesService,
    private readonly sections: DashboardSections,
    private readonly extensions: LessonExtensions,
  ) {}

  @Public()
  @Get('courses/:slug')
  async coursePage(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const { course, modules } = await this.courses.getPublishedCourse(slug);
    const user = req.user as User | undefined;
    const progress = user ? await this.enrollments.findProgress(user.id, course.id) : null;
    const enrollment = progress?.enrollment ?? null;
    const done = progress?.completedModuleIds ?? new Set<number>();
    const next = modules.find((m) => !done.has(m.id)) ?? modules[0];
    const quizzes = await this.quizzes.listCourseQuizzes(course.id);
    const standings = user ? await this.quizzes.standings(user.id, quizzes) : new Map();
    const quizRow = (quiz: (typeof quizzes)[number]) => ({
      ...quiz,
      passed: !!standings.get(quiz.id)?.passed,
      awaiting: !!standings.get(quiz.id)?.awaitingGrading,
    });
    const allLessonsDone = modules.filter((m) => m.required).every((m) => done.has(m.id));
    res.render('courses/show', {
      course: { ...course, hours: Math.round((course.estimatedMinutes / 60) * 10) / 10, cover: storedImageTag(course.coverImage) },
      modules: modules.map((m, i) => ({
        ...m,
        number: i + 1,
        done: done.has(m.id),
        checks: quizzes.filter((q) => q.moduleId === m.id).map(quizRow),
      })),
      finalQuiz: quizzes.filter((q) => q.isFinal).map(quizRow)[0],
      finalPending: !!enrollment && !enrollment.completedAt && allLessonsDone,
      enrollment,
      completed: !!enrollment?.completedAt,
      nextModule: next,
      csrfToken: user ? csrfToken(req) : undefined,
    });
  }

  @RequireRole()
  @Post('courses/:slug/enrol')
  async enrol(@Param('slug') slug: string, @CurrentUser() user: User, @Res() res: Response) {
    const { course, modules } = await this.courses.getPublishedCourse(slug);
    await this.enrollments.enrol(user.id, course.id);
    res.redirect(303, modules[0] ? `/courses/${course.slug}/modules/${modules[0].slug}` : `/courses/${course.slug}`);
  }

  @RequireRole()
  @Get('courses/:slug/modules/:module')
  async lesson(
    @Param('slug') slug: string,
    @Param('module') moduleSlug: string,
    @CurrentUser() user: User,
    @Req() req: Request,
    @Res() res: Response,
    @Query('not_ready') notReady?: string,
  ) {
    const { course, modules } = await this.courses.getPublishedCourse(slug);
    const index = modules.findIndex((m) => m.slug === moduleSlug);
    if (index < 0) throw new NotFoundError('errors.lesson_not_found');
    const progress = await this.enrollments.findProgress(user.id, course.id);
    if (!progress) return res.redirect(303, `/courses/${course.slug}?enrol=required`);
    const { enrollment, completedModuleIds } = progress;
    const module = modules[index];
    await this.enrollments.recordVisit(enrollment, { course, lesson: module });
    const [quizzes, bodyHtml, extras] = await Promise.all([
      this.quizzes.listCourseQuizzes(course.id),
      this.courses.lessonBody(module.id),
      this.extensions.lessonPage({ course, lesson: module, user, enrollment }),
    ]);
    res.render('lessons/show', {
      ...extras,
      course,
      module: { ...module, bodyHtml },
      position: index + 1,
      moduleCount: modules.length,
      done: completedModuleIds.has(module.id),
      previous: modules[index - 1],
      next: modules[index + 1],
      checks: quizzes.filter((q) => q.moduleId === module.id),
      finalQuiz: index === modules.length - 1 ? quizzes.find((q) => q.isFinal) : undefined,
      percent: enrollment.progressPercent,
      completed: !!enrollment.completedAt,
      csrfToken: csrfToken(req),
      // Only the keys LessonNotReadyError uses are shown; anything else in the URL is ignored.
      notReady: notReady && NOT_READY_KEYS.test(notReady) ? notReady : undefined,
    });
  }

  @RequireRole()
  @Post('courses/:slug/modules/:module/complete')
  async completeModule(
    @Param('slug') slug: string,
    @Param('module') moduleSlug: string,
    @CurrentUser() user: User,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const { course, modules } = await this.courses.getPublishedCourse(slug);
    const index = modules.findIndex((m) => m.slug === moduleSlug);
    if (index < 0) throw new NotFoundError('errors.lesson_not_found');
    const enrollment = await this.enrollments.findEnrollment(user.id, course.id);
    if (!enrollment) return res.redirect(303, `/courses/${course.slug}?enrol=required`);
    // A lesson with a video to watch refuses until enough of it was watched (src/videos/watch).
    try {
      await this.extensions.beforeComplete(enrollment, modules[index]);
    } catch (error) {
      if (!(error instanceof LessonNotReadyError) || req.accepts(['html', 'json']) === 'json') throw error;
      return res.redirect(303, `/courses/${course.slug}/modules/${modules[index].slug}?not_ready=${encodeURIComponent(error.messageKey)}`);
    }
    const { enrollment: updated } = await this.enrollments.completeModule(enrollment, modules[index]);
    if (req.accepts(['html', 'json']) === 'json') {
      return res.json({ progressPercent: updated.progressPercent, completed: !!updated.completedAt });
    }
    const next = modules[index + 1];
    res.redirect(303, updated.completedAt && !next ? `/courses/${course.slug}?completed=1` : next ? `/courses/${course.slug}/modules/${next.slug}` : `/courses/${course.slug}`);
  }

  @RequireRole()
  @Get('dashboard')
  async dashboard(@CurrentUser() user: User, @Res() res: Response) {
    const userId = user.id;
    const [entries, sections] = await Promise.all([this.enrollments.dashboard(userId), this.sections.forUser(userId)]);
    res.render('dashboard/index', {
      sections,
      entries: entries.map(({ enrollment, course, resume }) => ({
        course,
        percent: enrollment.progressPercent,
        completed: !!enrollment.completedAt,
        completedAt: enrollment.completedAt,
        resume,
      })),
    });
  }
}
