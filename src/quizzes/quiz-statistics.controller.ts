import { Controller, Get, Param, ParseIntPipe, Res } from '@nestjs/common';
import type { Response } from 'express';
import { RequireRole } from '../auth/roles.decorator';
import { NotFoundError } from '../common/domain-error';
import { QuizStatisticsService } from './quiz-statistics.service';
import { QuizzesService } from './quizzes.service';

const percent = (share: number | null) => (share === null ? null : Math.round(share * 1000) / 10);

@Controller('author/quizzes/:id/statistics')
@RequireRole('trainer', 'manager')
export class QuizStatisticsController {
  constructor(
    private readonly quizzes: QuizzesService,
    private readonly statistics: QuizStatisticsService,
  ) {}

  @Get()
  async show(@Param('id', ParseIntPipe) id: number, @Res() res: Response) {
    const quiz = await this.quizzes.findQuizById(id);
    if (!quiz) throw new NotFoundError('quizzes.not_found');
    const stats = await this.statistics.forQuiz(quiz);
    const biggest = Math.max(1, ...stats.distribution);
    res.render('quizzes/statistics', {
      quiz,
      computedAt: stats.computedAt,
      attempts: stats.attempts,
      passRate: percent(stats.passRate),
      meanPercent: stats.meanPercent === null ? null : Math.round(stats.meanPercent * 10) / 10,
      bands: stats.distribution.map((count, i) => ({ label: `${i * 10}–${i === 9 ? 100 : i * 10 + 9}%`, count, height: Math.round((count / biggest) * 100), x: i * 30 + 5 })),
      questions: stats.questions.map((q) => ({
        ...q,
        facility: percent(q.facility),
        discrimination: q.discrimination === null ? null : Math.round(q.discrimination * 100) / 100,
        flag: q.answers >= 20 && ((q.discrimination !== null && q.discrimination < 0.2) || (q.facility !== null && (q.facility < 0.2 || q.facility > 0.95))),
      })),
    });
  }
}
