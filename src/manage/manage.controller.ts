import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { RequireRole } from '../auth/roles.decorator';
import { FormInvalidError } from '../common/domain-error';
import { renderForm } from '../common/forms';
import { ProgrammesService } from '../programmes/programmes.service';
import { viewer } from './manage-request';
import { SettingsPagesService } from './settings-pages.service';

/** /manage: the programmes and cohorts a manager runs, and a new programme. */
@Controller('manage')
@RequireRole('manager')
export class ManageController {
  constructor(
    private readonly pages: SettingsPagesService,
    private readonly programmes: ProgrammesService,
  ) {}

  @Get()
  async overview(@Req() req: Request, @Res() res: Response) {
    renderForm(req, res, 'manage/index', await this.pages.overview(viewer(req)));
  }

  @Post('programmes')
  async create(@Req() req: Request, @Res() res: Response, @Body() body: Record<string, string | string[]>) {
    try {
      const programme = await this.programmes.createProgramme(viewer(req), body);
      res.redirect(303, `/manage/programmes/${programme.id}/settings`);
    } catch (error) {
      if (!(error instanceof FormInvalidError)) throw error;
      const page = await this.pages.overview(viewer(req));
      const chosen = ([] as string[]).concat(body.requiredFields ?? []);
      renderForm(req, res, 'manage/index', { ...page, requiredFieldOptions: this.pages.requiredFieldOptions(chosen) }, error);
    }
  }
}
