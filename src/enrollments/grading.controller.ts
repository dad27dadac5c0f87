import { Body, Controller, Get, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { csrfToken } from '../auth/csrf';
import { RequireRole } from '../auth/roles.decorator';
import { FormInvalidError } from '../common/domain-error';
import { QuizzesService } from '../quizzes/quizzes.service';
import { User } from '../users/user.entity';
import { AssessmentService } from './assessment.service';

/** The trainers' queue of essay answers; a mark may complete the learner's course. */
@Controller('author/grading')
@RequireRole('trainer')
export class GradingController {
  constructor(
    private readonly quizzes: QuizzesService,
    private readonly assessment: AssessmentService,
  ) {}

  @Get()
  async queue(@Req() req: Request, @Res() res: Response, @Query('graded') graded?: string) {
    res.render('grading/index', { items: await this.quizzes.essaysAwaitingGrading(null), graded: !!graded, csrfToken: csrfToken(req) });
  }

  @Post(':answerId')
  async grade(@Param('answerId', ParseIntPipe) answerId: number, @Body() body: Record<string, string>, @Req() req: Request, @Res() res: Response) {
    const percent = Number(body.percent);
    if (body.percent === undefined || body.percent === '' || !Number.isFinite(percent) || percent < 0 || percent > 100) {
      throw new FormInvalidError({ percent: 'quizzes.grade_percent_invalid' });
    }
    await this.assessment.gradeEssay(answerId, (req.user as User).id, percent, String(body.comment ?? '').slice(0, 5000));
    res.redirect(303, '/author/grading?graded=1');
  }
}
