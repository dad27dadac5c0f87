import { Controller, Get, Param, ParseIntPipe, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { csrfToken } from '../auth/csrf';
import { RequireRole } from '../auth/roles.decorator';
import { Clock } from '../common/clock';
import { DashboardPagesService } from './dashboard-pages.service';
import { localeOf, sendCsv, viewer } from './manage-request';
import { SettingsPagesService } from './settings-pages.service';

/** The dashboards (programme, cohort, course), their CSV exports and a learner's drill-down. */
@Controller('manage')
@RequireRole('manager')
export class ReportsController {
  constructor(
    private readonly dashboards: DashboardPagesService,
    private readonly pages: SettingsPagesService,
    private readonly clock: Clock,
  ) {}

  @Get('programmes/:id')
  async programme(@Param('id', ParseIntPipe) id: number, @Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    const context = await this.dashboards.programmeScope(viewer(req), id);
    res.render('manage/report', await this.dashboards.reportPage(context, query, this.clock.now(), localeOf(res)));
  }

  @Get('programmes/:id/export/:table')
  async programmeExport(@Param('id', ParseIntPipe) id: number, @Param('table') table: string, @Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    const context = await this.dashboards.programmeScope(viewer(req), id);
    sendCsv(res, await this.dashboards.exportTable(context, table, query, this.clock.now(), localeOf(res)));
  }

  @Get('programmes/:id/courses/:courseId')
  async course(
    @Param('id', ParseIntPipe) id: number,
    @Param('courseId', ParseIntPipe) courseId: number,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const context = await this.dashboards.courseScope(viewer(req), id, courseId);
    res.render('manage/report', await this.dashboards.reportPage(context, query, this.clock.now(), localeOf(res)));
  }

  @Get('programmes/:id/courses/:courseId/export/:table')
  async courseExport(
    @Param('id', ParseIntPipe) id: number,
    @Param('courseId', ParseIntPipe) courseId: number,
    @Param('table') table: string,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const context = await this.dashboards.courseScope(viewer(req), id, courseId);
    sendCsv(res, await this.dashboards.exportTable(context, table, query, this.clock.now(), localeOf(res)));
  }

  @Get('cohorts/:id')
  async cohort(@Param('id', ParseIntPipe) id: number, @Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    const context = await this.dashboards.cohortScope(viewer(req), id);
    res.render('manage/report', await this.dashboards.reportPage(context, query, this.clock.now(), localeOf(res)));
  }

  @Get('cohorts/:id/export/:table')
  async cohortExport(@Param('id', ParseIntPipe) id: number, @Param('table') table: string, @Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    const context = await this.dashboards.cohortScope(viewer(req), id);
    sendCsv(res, await this.dashboards.exportTable(context, table, query, this.clock.now(), localeOf(res)));
  }

  @Get('cohorts/:id/learners/:userId')
  async learner(@Param('id', ParseIntPipe) id: number, @Param('userId', ParseIntPipe) userId: number, @Req() req: Request, @Res() res: Response) {
    const page = await this.pages.learner(viewer(req), id, userId);
    res.render('manage/learner', { ...page, csrfToken: csrfToken(req), here: req.originalUrl });
  }
}
