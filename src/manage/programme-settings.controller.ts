import { Body, Controller, Get, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { RequireRole } from '../auth/roles.decorator';
import { FormInvalidError } from '../common/domain-error';
import { renderForm } from '../common/forms';
import { ProgrammesService } from '../programmes/programmes.service';
import { viewer } from './manage-request';
import { SettingsPagesService } from './settings-pages.service';

type Form = Record<string, string | string[]>;

/** A programme's settings: name and required profile fields, managers, and its cohorts. */
@Controller('manage/programmes/:id')
@RequireRole('manager')
export class ProgrammeSettingsController {
  constructor(
    private readonly pages: SettingsPagesService,
    private readonly programmes: ProgrammesService,
  ) {}

  private async render(req: Request, res: Response, id: number, extra: Record<string, unknown> = {}, error?: FormInvalidError, values?: Form) {
    const page = await this.pages.programmeSettings(viewer(req), id, values, extra.cohortValues as Form | undefined);
    renderForm(req, res, 'manage/programme-settings', { ...page, ...extra }, error);
  }

  @Get('settings')
  async page(@Param('id', ParseIntPipe) id: number, @Query('saved') saved: string, @Req() req: Request, @Res() res: Response) {
    await this.render(req, res, id, { saved });
  }

  @Post('settings')
  async save(@Param('id', ParseIntPipe) id: number, @Body() body: Form, @Req() req: Request, @Res() res: Response) {
    await this.programmes.programmeFor(viewer(req), id);
    try {
      await this.programmes.updateProgramme(id, body);
      res.redirect(303, `/manage/programmes/${id}/settings?saved=programme`);
    } catch (error) {
      if (!(error instanceof FormInvalidError)) throw error;
      await this.render(req, res, id, { formError: 'programme' }, error, body);
    }
  }

  @Post('managers')
  async addManager(@Param('id', ParseIntPipe) id: number, @Body('email') email: string, @Req() req: Request, @Res() res: Response) {
    await this.programmes.programmeFor(viewer(req), id);
    try {
      await this.programmes.addProgrammeManager(id, String(email ?? ''));
      res.redirect(303, `/manage/programmes/${id}/settings?saved=managers`);
    } catch (error) {
      if (!(error instanceof FormInvalidError)) throw error;
      await this.render(req, res, id, { formError: 'managers' }, error);
    }
  }

  @Post('managers/:userId/remove')
  async removeManager(@Param('id', ParseIntPipe) id: number, @Param('userId', ParseIntPipe) userId: number, @Req() req: Request, @Res() res: Response) {
    await this.programmes.programmeFor(viewer(req), id);
    try {
      await this.programmes.removeProgrammeManager(id, userId);
      res.redirect(303, `/manage/programmes/${id}/settings?saved=managers`);
    } catch (error) {
      if (!(error instanceof FormInvalidError)) throw error;
      await this.render(req, res, id, { formError: 'managers' }, error);
    }
  }

  @Post('cohorts')
  async createCohort(@Param('id', ParseIntPipe) id: number, @Body() body: Form, @Req() req: Request, @Res() res: Response) {
    await this.programmes.programmeFor(viewer(req), id);
    try {
      const cohort = await this.programmes.createCohort(id, body as Record<string, string>);
      res.redirect(303, `/manage/cohorts/${cohort.id}/settings?saved=created`);
    } catch (error) {
      if (!(error instanceof FormInvalidError)) throw error;
      await this.render(req, res, id, { formError: 'cohort', cohortValues: body }, error);
    }
  }
}
