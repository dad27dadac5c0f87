import { Controller, Get, Param, ParseIntPipe, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CurrentUser } from '../auth/current-user.decorator';
import { User } from '../users/user.entity';
import { RequireRole } from '../auth/roles.decorator';
import { NotFoundError } from '../common/domain-error';
import { QuizStatisticsService } from '../quizzes/quiz-statistics.service';
import { QuizzesService } from '../quizzes/quizzes.service';
import { courseHeader } from './author-pages';
import { CourseAccessService } from './course-access.service';

const percent = (share: number | null) => (share === null ? null : Math.round(share * 1000) / 10);

/**
 * Item statistics of a published quiz. Trainers see them for the courses they own or
 * co-author, administrators for every course. Programme managers keep read access to every
 * quiz: they monitor programmes across courses, and the page changes nothing.
 */
@Controller('author/quizzes/:quizId/statistics')
@RequireRole('trainer', 'manager')
export class QuizStatisticsController {
  constructor(
    private readonly access: CourseAccessService,
    private readonly quizzes: QuizzesService,
    private readonly statistics: QuizStatisticsService,
  ) {}

  @Get()
  async show(@Param('quizId', ParseIntPipe) quizId: number, @CurrentUser() user: User, @Res() res: Response) {
    const quiz = await this.quizzes.findQuizById(quizId);
    if (!quiz) throw new NotFoundError('quizzes.not_found');
    // Managers read every quiz's statistics (see above); anyone else must author the quiz's course.
    const course =
      user.role === 'manager' ? null : courseHeader((await this.access.access(user, quiz.courseId)).course);
    const stats = await this.statistics.forQuiz(quiz);
    const biggest = Math.max(1, ...stats.distribution);
    res.render('quizzes/statistics', {
      quiz,
      course,
      computedAt: stats.computedAt,
      attempts: stats.attempts,
      passRate: percent(stats.passRate),
      meanPercent: stats.meanPercent === null ? null : Math.round(stats.meanPercent * 10) / 10,
      bands: stats.distribution.map((count, i) => ({
        label: `${i * 10}–${i === 9 ? 100 : i * 10 + 9}%`,
        count,
        height: Math.round((count / biggest) * 100),
        x: i * 30 + 5,
      })),
      questions: stats.questions.map((q) => ({
        ...q,
        facility: percent(q.facility),
        discrimination: q.discrimination === null ? null : Math.round(q.discrimination * 100) / 100,
        flag:
          q.answers >= 20 &&
          ((q.discrimination !== null && q.discrimination < 0.2) ||
            (q.facility !== null && (q.facility < 0.2 || q.facility > 0.95))),
      })),
    });
  }
}
