import { Body, Controller, Get, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { csrfToken } from '../auth/csrf';
import { CurrentUser } from '../auth/current-user.decorator';
import { RequireRole } from '../auth/roles.decorator';
import { Clock } from '../common/clock';
import { CoursesService } from '../courses/courses.service';
import { Quiz } from '../quizzes/entities/quiz.entity';
import { QuizAttempt } from '../quizzes/entities/quiz-attempt.entity';
import { AttemptClosedError } from '../quizzes/quiz-errors';
import { QuizzesService } from '../quizzes/quizzes.service';
import { User } from '../users/user.entity';
import { AssessmentService } from './assessment.service';
import { EnrollmentsService } from './enrollments.service';

type Form = Record<string, unknown>;

const percentOf = (permille: number | null) => (permille === null ? null : Math.round(permille) / 10);

/** Taking a quiz: start, one question per page (saved as it is given), submit, result. */
@Controller('courses/:slug/quizzes/:quiz')
@RequireRole()
export class QuizController {
  constructor(
    private readonly courses: CoursesService,
    private readonly enrollments: EnrollmentsService,
    private readonly quizzes: QuizzesService,
    private readonly assessment: AssessmentService,
    private readonly clock: Clock,
  ) {}

  /** The quiz, for an enrolled learner; anyone else is sent to the course page to enrol. */
  private async context(user: User, res: Response, slug: string, quizSlug: string) {
    const { course } = await this.courses.getPublishedCourse(slug);
    const quiz = await this.quizzes.getQuiz(course.id, quizSlug);
    const enrollment = await this.enrollments.findEnrollment(user.id, course.id);
    if (!enrollment) {
      res.redirect(303, `/courses/${course.slug}?enrol=required`);
      return null;
    }
    return { course, quiz, user, enrollment, base: `/courses/${course.slug}/quizzes/${quiz.slug}` };
  }

  /** The learner's own attempt, closed first if its time ran out while they were away. */
  private async ownAttempt(userId: number, quiz: Quiz, attemptId: number): Promise<QuizAttempt> {
    const attempt = await this.quizzes.getOwnAttempt(userId, quiz.id, attemptId);
    if (this.quizzes.isPastDeadline(attempt, this.clock.now())) return this.assessment.submitAttempt(attempt.id, 'deadline');
    return attempt;
  }

  @Get()
  async start(@Param('slug') slug: string, @Param('quiz') quizSlug: string, @CurrentUser() user: User, @Req() req: Request, @Res() res: Response) {
    const ctx = await this.context(user, res, slug, quizSlug);
    if (!ctx) return;
    const [standing] = [...(await this.quizzes.standings(ctx.user.id, [ctx.quiz])).values()];
    const pool = await this.quizzes.activeQuestions(ctx.quiz.id);
    const attempts = await this.quizzes.listAttempts(ctx.user.id, ctx.quiz.id);
    res.render('quizzes/show', {
      course: ctx.course,
      quiz: ctx.quiz,
      base: ctx.base,
      questionCount: ctx.quiz.drawCount && ctx.quiz.drawCount < pool.length ? ctx.quiz.drawCount : pool.length,
      minutes: ctx.quiz.timeLimitSeconds ? Math.round(ctx.quiz.timeLimitSeconds / 60) : null,
      standing: { ...standing, gradePercent: percentOf(standing.gradePermille) },
      canStart: !!standing.openAttempt || standing.attemptsLeft === null || standing.attemptsLeft > 0,
      attempts: attempts.map((a) => ({ ...a, scorePercent: percentOf(a.scorePermille) })),
      csrfToken: csrfToken(req),
    });
  }

  @Post('attempts')
  async begin(@Param('slug') slug: string, @Param('quiz') quizSlug: string, @CurrentUser() user: User, @Res() res: Response) {
    const ctx = await this.context(user, res, slug, quizSlug);
    if (!ctx) return;
    const attempt = await this.quizzes.startAttempt(ctx.user.id, ctx.quiz, this.clock.now());
    res.redirect(303, `${ctx.base}/attempts/${attempt.id}?q=1`);
  }

  @Get('attempts/:id')
  async attemptPage(
    @Param('slug') slug: string,
    @Param('quiz') quizSlug: string,
    @Param('id', ParseIntPipe) id: number,
    @Query('q') q: string | undefined,
    @Query('error') error: string | undefined,
    @CurrentUser() user: User,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const ctx = await this.context(user, res, slug, quizSlug);
    if (!ctx) return;
    const attempt = await this.ownAttempt(ctx.user.id, ctx.quiz, id);
    if (attempt.status !== 'in_progress') return res.redirect(303, `${ctx.base}/attempts/${attempt.id}/result`);
    const views = await this.quizzes.attemptViews(attempt);
    const common = {
      course: ctx.course,
      quiz: ctx.quiz,
      attempt,
      action: `${ctx.base}/attempts/${attempt.id}`,
      total: views.length,
      answeredCount: views.filter((v) => v.answered).length,
      deadline: attempt.deadlineAt,
      secondsLeft: attempt.deadlineAt ? Math.max(0, Math.floor((attempt.deadlineAt.getTime() - this.clock.now().getTime()) / 1000)) : null,
      csrfToken: csrfToken(req),
    };
    const index = Number.parseInt(q ?? '', 10);
    if (!Number.isInteger(index) || index < 1 || index > views.length) {
      return res.render('quizzes/overview', { ...common, questions: views });
    }
    res.render('quizzes/question', {
      ...common,
      question: views[index - 1],
      previous: index > 1 ? index - 1 : null,
      next: index < views.length ? index + 1 : null,
      invalid: error === 'invalid',
    });
  }

  @Post('attempts/:id/answers')
  async saveAnswer(
    @Param('slug') slug: string,
    @Param('quiz') quizSlug: string,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: Form,
    @CurrentUser() user: User,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const ctx = await this.context(user, res, slug, quizSlug);
    if (!ctx) return;
    const attempt = await this.ownAttempt(ctx.user.id, ctx.quiz, id);
    const wantsJson = req.accepts(['html', 'json']) === 'json';
    const resultUrl = `${ctx.base}/attempts/${attempt.id}/result`;
    if (attempt.status !== 'in_progress') {
      if (wantsJson) throw new AttemptClosedError();
      return res.redirect(303, resultUrl);
    }
    const questionId = Number(body.questionId);
    const position = attempt.drawn.findIndex((d) => d.questionId === questionId) + 1;
    await this.quizzes.saveAnswer(attempt, questionId, body.answer, this.clock.now());
    if (wantsJson) return res.json({ saved: true, questionId });
    const go = String(body.go ?? 'next');
    const target = go === 'previous' ? position - 1 : go === 'overview' ? 0 : go === 'next' ? position + 1 : Number.parseInt(go, 10) || 0;
    res.redirect(303, target >= 1 && target <= attempt.drawn.length ? `${ctx.base}/attempts/${attempt.id}?q=${target}` : `${ctx.base}/attempts/${attempt.id}`);
  }

  @Post('attempts/:id/submit')
  async submit(
    @Param('slug') slug: string,
    @Param('quiz') quizSlug: string,
    @Param('id', ParseIntPipe) id: number,
    @CurrentUser() user: User,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const ctx = await this.context(user, res, slug, quizSlug);
    if (!ctx) return;
    const attempt = await this.ownAttempt(ctx.user.id, ctx.quiz, id);
    // Submitting an attempt that is already closed is harmless: the same result is shown.
    const closed = attempt.status === 'in_progress' ? await this.assessment.submitAttempt(attempt.id, 'learner') : attempt;
    if (req.accepts(['html', 'json']) === 'json') {
      return res.json({ attemptId: closed.id, status: closed.status, scorePercent: percentOf(closed.scorePermille), passed: closed.passed });
    }
    res.redirect(303, `${ctx.base}/attempts/${closed.id}/result`);
  }

  @Get('attempts/:id/result')
  async result(
    @Param('slug') slug: string,
    @Param('quiz') quizSlug: string,
    @Param('id', ParseIntPipe) id: number,
    @CurrentUser() user: User,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const ctx = await this.context(user, res, slug, quizSlug);
    if (!ctx) return;
    const attempt = await this.ownAttempt(ctx.user.id, ctx.quiz, id);
    if (attempt.status === 'in_progress') return res.redirect(303, `${ctx.base}/attempts/${attempt.id}`);
    const [standing] = [...(await this.quizzes.standings(ctx.user.id, [ctx.quiz])).values()];
    const enrollment = await this.enrollments.findEnrollment(ctx.user.id, ctx.course.id);
    res.render('quizzes/result', {
      course: ctx.course,
      quiz: ctx.quiz,
      base: ctx.base,
      attempt: { ...attempt, scorePercent: percentOf(attempt.scorePermille) },
      review: await this.quizzes.review(attempt, ctx.quiz),
      showWhichWrong: ctx.quiz.review !== 'score',
      showCorrect: ctx.quiz.review === 'full',
      canRetry: !standing.passed && !standing.openAttempt && (standing.attemptsLeft === null || standing.attemptsLeft > 0),
      courseCompleted: !!enrollment?.completedAt,
      csrfToken: csrfToken(req),
    });
  }
}
