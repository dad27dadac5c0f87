import { Body, Controller, Get, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CurrentUser } from '../auth/current-user.decorator';
import { RequireRole } from '../auth/roles.decorator';
import { FormInvalidError } from '../common/domain-error';
import { renderForm, safeNext } from '../common/forms';
import type { User } from '../users/user.entity';
import { MILESTONES } from './entities/export-outcome.entity';
import { OutcomesService } from './outcomes.service';
import { todayIso } from './stats/weeks';

/** Export milestones: the learner's own page, and the verification queue for trainers and managers. */
@Controller('outcomes')
export class OutcomesController {
  constructor(private readonly outcomes: OutcomesService) {}

  private async renderMine(
    user: User,
    req: Request,
    res: Response,
    extra: Record<string, unknown> = {},
    error?: FormInvalidError,
  ) {
    const recorded = new Map((await this.outcomes.listFor(user.id)).map((o) => [o.milestone, o]));
    renderForm(
      req,
      res,
      'programmes/outcomes',
      {
        milestones: MILESTONES.map((milestone) => ({ milestone, outcome: recorded.get(milestone) ?? null })),
        today: todayIso(new Date()),
        ...extra,
      },
      error,
    );
  }

  @RequireRole()
  @Get()
  async mine(@CurrentUser() user: User, @Req() req: Request, @Res() res: Response, @Query('saved') saved?: string) {
    await this.renderMine(user, req, res, { saved: MILESTONES.includes(saved as never) ? saved : null });
  }

  @RequireRole()
  @Post()
  async record(@CurrentUser() user: User, @Req() req: Request, @Res() res: Response, @Body() body: Record<string, string>) {
    try {
      await this.outcomes.record(user.id, body);
      res.redirect(303, `/outcomes?saved=${encodeURIComponent(body.milestone)}`);
    } catch (error) {
      if (!(error instanceof FormInvalidError)) throw error;
      await this.renderMine(user, req, res, { failedMilestone: body.milestone, typed: body }, error);
    }
  }

  @RequireRole()
  @Post(':id/delete')
  async remove(@Param('id', ParseIntPipe) id: number, @CurrentUser() user: User, @Res() res: Response) {
    await this.outcomes.remove(user.id, id);
    res.redirect(303, '/outcomes');
  }

  @RequireRole('trainer', 'manager')
  @Get('review')
  async review(@CurrentUser() user: User, @Req() req: Request, @Res() res: Response, @Query('verified') verified?: string) {
    renderForm(req, res, 'programmes/outcomes-review', { queue: await this.outcomes.reviewQueue(user), verified: verified === '1' });
  }

  @RequireRole('trainer', 'manager')
  @Post(':id/verify')
  async verify(@Param('id', ParseIntPipe) id: number, @CurrentUser() user: User, @Res() res: Response, @Body('next') next?: string) {
    await this.outcomes.verify(user, id);
    res.redirect(303, safeNext(next, '/outcomes/review?verified=1'));
  }
}
