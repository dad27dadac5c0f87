import { Body, Controller, Get, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { RequireRole } from '../auth/roles.decorator';
import { FormInvalidError } from '../common/domain-error';
import { renderForm } from '../common/forms';
import { MembershipService } from '../programmes/membership.service';
import { DashboardPagesService } from './dashboard-pages.service';
import { localeOf, sendCsv, viewer } from './manage-request';

/** A cohort's members: the list, adding an existing account by email, taking someone out. */
@Controller('manage/cohorts/:id/members')
@RequireRole('manager')
export class MembersController {
  constructor(
    private readonly dashboards: DashboardPagesService,
    private readonly membership: MembershipService,
  ) {}

  private async render(req: Request, res: Response, id: number, page: number, extra: Record<string, unknown> = {}, error?: FormInvalidError) {
    const context = await this.dashboards.cohortScope(viewer(req), id);
    const { table, members, total, pages } = await this.dashboards.membersTable(context, page, localeOf(res));
    const rows = table.rows.map((cells, i) => ({ cells, ...members[i] }));
    renderForm(
      req,
      res,
      'manage/members',
      { cohort: context.cohort, programme: context.programme, table, rows, total, page, pages, prevPage: page > 1 ? page - 1 : null, nextPage: page < pages ? page + 1 : null, ...extra },
      error,
    );
  }

  @Get()
  async list(@Param('id', ParseIntPipe) id: number, @Query('page') page: string, @Query('added') added: string, @Query('removed') removed: string, @Req() req: Request, @Res() res: Response) {
    await this.render(req, res, id, Math.max(1, Number.parseInt(page, 10) || 1), { added: added === '1', alreadyMember: added === '0', removed: removed === '1' });
  }

  @Get('export')
  async csv(@Param('id', ParseIntPipe) id: number, @Req() req: Request, @Res() res: Response) {
    sendCsv(res, await this.dashboards.membersCsv(await this.dashboards.cohortScope(viewer(req), id), localeOf(res)));
  }

  @Post()
  async add(@Param('id', ParseIntPipe) id: number, @Body('email') email: string, @Req() req: Request, @Res() res: Response) {
    const { cohort } = await this.dashboards.cohortScope(viewer(req), id);
    try {
      const { outcome } = await this.membership.addByEmail(cohort as NonNullable<typeof cohort>, String(email ?? ''));
      res.redirect(303, `/manage/cohorts/${id}/members?added=${outcome === 'joined' ? 1 : 0}`);
    } catch (error) {
      if (!(error instanceof FormInvalidError)) throw error;
      await this.render(req, res, id, 1, {}, error);
    }
  }

  @Post(':userId/remove')
  async remove(@Param('id', ParseIntPipe) id: number, @Param('userId', ParseIntPipe) userId: number, @Req() req: Request, @Res() res: Response) {
    await this.dashboards.cohortScope(viewer(req), id);
    await this.membership.remove(id, userId);
    res.redirect(303, `/manage/cohorts/${id}/members?removed=1`);
  }
}
