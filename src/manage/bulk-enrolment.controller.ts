import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { RequireRole } from '../auth/roles.decorator';
import { DomainError } from '../common/domain-error';
import { renderForm } from '../common/forms';
import { BulkEnrolmentService, ImportFileError } from '../programmes/bulk-enrolment.service';
import { ProgrammesService } from '../programmes/programmes.service';
import { BulkEnrolmentPages } from './bulk-enrolment.pages';
import { localeOf, sendCsv, viewer } from './manage-request';

/** Bulk enrolment from CSV: upload and dry run, the per-row report, apply, and the set-password links. */
@Controller('manage/programmes/:id')
@RequireRole('manager')
export class BulkEnrolmentController {
  constructor(
    private readonly programmes: ProgrammesService,
    private readonly bulk: BulkEnrolmentService,
    private readonly pages: BulkEnrolmentPages,
  ) {}

  @Get('import')
  async form(@Param('id', ParseIntPipe) id: number, @Req() req: Request, @Res() res: Response) {
    const programme = await this.programmes.programmeFor(viewer(req), id);
    renderForm(req, res, 'manage/import', await this.pages.form(programme, {}));
  }

  @Get('import/template')
  async template(@Param('id', ParseIntPipe) id: number, @Req() req: Request, @Res() res: Response) {
    const programme = await this.programmes.programmeFor(viewer(req), id);
    sendCsv(res, await this.pages.template(programme));
  }

  /** The dry run. The multipart body was read by ImportUploadMiddleware. */
  @Post('import')
  async check(@Param('id', ParseIntPipe) id: number, @Body() body: Record<string, string>, @Req() req: Request, @Res() res: Response) {
    const programme = await this.programmes.programmeFor(viewer(req), id);
    const defaultCohortId = Number(body.defaultCohortId) || null;
    try {
      if (body.fileTooLarge) throw new ImportFileError('bulk.errors.too_large', { max: '2 MB' });
      if (typeof body.file !== 'string') throw new ImportFileError('bulk.errors.no_file');
      const report = await this.bulk.check(programme, viewer(req).id, body.file, defaultCohortId);
      res.redirect(303, `/manage/programmes/${id}/imports/${report.import.id}`);
    } catch (error) {
      if (!(error instanceof ImportFileError)) throw error;
      res.status(body.fileTooLarge ? 413 : 400);
      renderForm(req, res, 'manage/import', await this.pages.form(programme, { defaultCohortId, fileError: this.pages.message(localeOf(res), error as DomainError) }));
    }
  }

  @Get('imports/:importId')
  async report(@Param('id', ParseIntPipe) id: number, @Param('importId', ParseIntPipe) importId: number, @Req() req: Request, @Res() res: Response) {
    const programme = await this.programmes.programmeFor(viewer(req), id);
    renderForm(req, res, 'manage/import-report', await this.pages.report(programme, importId, localeOf(res)));
  }

  @Post('imports/:importId/apply')
  async apply(@Param('id', ParseIntPipe) id: number, @Param('importId', ParseIntPipe) importId: number, @Req() req: Request, @Res() res: Response) {
    const programme = await this.programmes.programmeFor(viewer(req), id);
    // The worker applies the file in the background; the report page follows it to the end.
    await this.bulk.startApply(programme, importId, localeOf(res));
    res.redirect(303, `/manage/programmes/${id}/imports/${importId}`);
  }

  /** Issues fresh links (earlier ones stop working), so it is a POST; the answer is the CSV. */
  @Post('imports/:importId/links')
  @HttpCode(200)
  async links(@Param('id', ParseIntPipe) id: number, @Param('importId', ParseIntPipe) importId: number, @Req() req: Request, @Res() res: Response) {
    const programme = await this.programmes.programmeFor(viewer(req), id);
    sendCsv(res, await this.pages.linksCsv(programme, importId));
  }
}
