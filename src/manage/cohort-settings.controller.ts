import { Inject, Body, Controller, Get, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { RequireRole } from '../auth/roles.decorator';
import { FormInvalidError } from '../common/domain-error';
import { renderForm } from '../common/forms';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { MembershipService } from '../programmes/membership.service';
import { ProgrammesService } from '../programmes/programmes.service';
import { viewer } from './manage-request';
import { SettingsPagesService } from './settings-pages.service';

/**
 * A cohort's settings. Its managers may edit the details and the enrolment link; courses and
 * cohort managers are changed by the programme's managers.
 */
@Controller('manage/cohorts/:id')
@RequireRole('manager')
export class CohortSettingsController {
  constructor(
    private readonly pages: SettingsPagesService,
    private readonly programmes: ProgrammesService,
    private readonly membership: MembershipService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private async render(req: Request, res: Response, id: number, extra: Record<string, unknown> = {}, error?: FormInvalidError, values?: Record<string, string>) {
    renderForm(req, res, 'manage/cohort-settings', { ...(await this.pages.cohortSettings(viewer(req), id, this.config, values)), ...extra }, error);
  }

  private async retry(req: Request, res: Response, id: number, formError: string, work: () => Promise<unknown>, values?: Record<string, string>) {
    try {
      await work();
      res.redirect(303, `/manage/cohorts/${id}/settings?saved=${formError}`);
    } catch (error) {
      if (!(error instanceof FormInvalidError)) throw error;
      await this.render(req, res, id, { formError }, error, values);
    }
  }

  @Get('settings')
  async page(@Param('id', ParseIntPipe) id: number, @Query('saved') saved: string, @Req() req: Request, @Res() res: Response) {
    await this.render(req, res, id, { saved });
  }

  @Post('settings')
  async save(@Param('id', ParseIntPipe) id: number, @Body() body: Record<string, string>, @Req() req: Request, @Res() res: Response) {
    await this.programmes.cohortFor(viewer(req), id);
    await this.retry(req, res, id, 'details', () => this.programmes.updateCohort(id, body), body);
  }

  @Post('code')
  async code(@Param('id', ParseIntPipe) id: number, @Body('enabled') enabled: string, @Req() req: Request, @Res() res: Response) {
    await this.programmes.cohortFor(viewer(req), id);
    await this.programmes.setEnrolCode(id, enabled === '1');
    res.redirect(303, `/manage/cohorts/${id}/settings?saved=code`);
  }

  @Post('courses')
  async addCourse(@Param('id', ParseIntPipe) id: number, @Body('courseId') courseId: string, @Req() req: Request, @Res() res: Response) {
    const { cohort } = await this.programmes.cohortForProgrammeManager(viewer(req), id);
    await this.retry(req, res, id, 'courses', () => this.membership.addCourse(cohort, Number(courseId)));
  }

  @Post('courses/:courseId/remove')
  async removeCourse(@Param('id', ParseIntPipe) id: number, @Param('courseId', ParseIntPipe) courseId: number, @Req() req: Request, @Res() res: Response) {
    const { cohort } = await this.programmes.cohortForProgrammeManager(viewer(req), id);
    await this.retry(req, res, id, 'courses', () => this.membership.removeCourse(cohort, courseId));
  }

  @Post('managers')
  async addManager(@Param('id', ParseIntPipe) id: number, @Body('email') email: string, @Req() req: Request, @Res() res: Response) {
    await this.programmes.cohortForProgrammeManager(viewer(req), id);
    await this.retry(req, res, id, 'managers', () => this.programmes.addCohortManager(id, String(email ?? '')));
  }

  @Post('managers/:userId/remove')
  async removeManager(@Param('id', ParseIntPipe) id: number, @Param('userId', ParseIntPipe) userId: number, @Req() req: Request, @Res() res: Response) {
    await this.programmes.cohortForProgrammeManager(viewer(req), id);
    await this.retry(req, res, id, 'managers', () => this.programmes.removeCohortManager(id, userId));
  }
}
