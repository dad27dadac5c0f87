import { Body, Controller, Get, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { csrfToken } from '../auth/csrf';
import { CurrentUser } from '../auth/current-user.decorator';
import { User } from '../users/user.entity';
import { RequireRole } from '../auth/roles.decorator';
import { NotFoundError } from '../common/domain-error';
import { CoursesService } from '../courses/courses.service';
import { AssessmentService } from '../enrollments/assessment.service';
import { QuizzesService } from '../quizzes/quizzes.service';
import { CourseAccessService } from './course-access.service';

/**
 * The trainers' queue of essay answers; a mark may complete the learner's course. Like every
 * authoring page it follows the course's authors: a trainer sees and marks the essays of the
 * courses they own or co-author, an administrator those of every course.
 */
@Controller('author/grading')
@RequireRole('trainer')
export class GradingController {
  constructor(
    private readonly access: CourseAccessService,
    private readonly courses: CoursesService,
    private readonly quizzes: QuizzesService,
    private readonly assessment: AssessmentService,
  ) {}

  @Get()
  async queue(
    @CurrentUser() user: User,
    @Req() req: Request,
    @Res() res: Response,
    @Query('graded') graded?: string,
    @Query('course') course?: string,
  ) {
    await this.renderQueue(user, req, res, { graded: !!graded, course });
  }

  /**
   * The queue, narrowed to one course with ?course=ID (403 unless it is one of the user's). After a
   * refused mark, that answer's form shows the error next to the mark and comment as they were typed.
   */
  private async renderQueue(
    user: User,
    req: Request,
    res: Response,
    options: { graded?: boolean; course?: string; refused?: { answerId: number; fields: Record<string, string>; values: Record<string, string> } },
  ) {
    const { course, refused } = options;
    const selectedId = typeof course === 'string' && /^\d+$/.test(course) ? Number(course) : null;
    const selected = selectedId === null ? null : (await this.access.access(user, selectedId)).course;
    const allowed = await this.access.authoredCourseIds(user);
    const scope = selected ? [selected.id] : allowed;
    const [items, waiting] = await Promise.all([
      this.quizzes.essaysAwaitingGrading(scope),
      this.quizzes.essaysAwaitingByCourse(allowed),
    ]);
    // The filter offers the user's courses that have essays waiting (and the one chosen, even at none).
    const ids = new Set([...waiting.keys(), ...items.map((i) => i.quiz.courseId)]);
    if (selected) ids.add(selected.id);
    const courses = new Map((await this.courses.findCoursesByIds([...ids])).map((c) => [c.id, c]));
    if (refused) res.status(400);
    res.render('grading/index', {
      items: items.map((item) => ({
        ...item,
        course: courses.get(item.quiz.courseId) ?? null,
        ...(refused?.answerId === item.answer.id ? { errors: refused.fields, values: refused.values } : {}),
      })),
      courses: [...courses.values()]
        .sort((a, b) => a.title.localeCompare(b.title))
        .map((c) => ({
          id: c.id,
          title: c.title,
          language: c.language,
          waiting: waiting.get(c.id) ?? 0,
          selected: c.id === selected?.id,
        })),
      selected,
      graded: !!options.graded,
      hasErrors: !!refused,
      csrfToken: csrfToken(req),
    });
  }

  @Post(':answerId')
  async grade(
    @Param('answerId', ParseIntPipe) answerId: number,
    @Body() body: Record<string, string>,
    @CurrentUser() user: User,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const courseId = await this.quizzes.courseIdOfAnswer(answerId);
    if (courseId === null) throw new NotFoundError();
    // 403 unless the user authors the course the answer was given in (administrators always do).
    await this.access.access(user, courseId);
    const percent = Number(body.percent);
    if (
      body.percent === undefined ||
      body.percent === '' ||
      !Number.isFinite(percent) ||
      percent < 0 ||
      percent > 100
    ) {
      const values = { percent: String(body.percent ?? ''), comment: String(body.comment ?? '') };
      return this.renderQueue(user, req, res, {
        course: body.course,
        refused: { answerId, fields: { percent: 'quizzes.grade_percent_invalid' }, values },
      });
    }
    await this.assessment.gradeEssay(
      answerId,
      user.id,
      percent,
      String(body.comment ?? '').slice(0, 5000),
    );
    const back = typeof body.course === 'string' && /^\d+$/.test(body.course) ? `&course=${body.course}` : '';
    res.redirect(303, `/author/grading?graded=1${back}`);
  }
}
