import { Body, Controller, Get, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { csrfToken } from '../auth/csrf';
import { CurrentUser } from '../auth/current-user.decorator';
import { RequireRole } from '../auth/roles.decorator';
import { FormInvalidError } from '../common/domain-error';
import { CertificateRegisterService, parseRegisterFilter, RegisterFilter, registerQuery } from '../certificates/certificate-register.service';
import { CertificateScope } from '../certificates/certificate-scope';
import { CERTIFICATE_STATUSES } from '../certificates/certificate.entity';
import { CertificatesService, studyHours } from '../certificates/certificates.service';
import { CoursesService } from '../courses/courses.service';
import { ProgrammesService } from '../programmes/programmes.service';
import { User } from '../users/user.entity';

const PAGE_SIZE = 50;
const OUTCOMES = ['revoked', 'reissued', 'retried', 'reason_required', 'name_required'];

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** Back to the register with the filter the form came from (re-parsed, never echoed as given) and what happened. */
function backToRegister(body: Record<string, string>, done: string): string {
  const filter = registerQuery(parseRegisterFilter(Object.fromEntries(new URLSearchParams(body.back ?? ''))));
  return `/manage/certificates?${filter ? `${filter}&` : ''}done=${done}`;
}

/**
 * Programme managers and admins: the certificate register, exports, revocation, re-issue, retry.
 * It lives here, above programmes and certificates: a manager sees and acts on the certificates
 * of the enrolments they manage (programmes builds that scope as a subquery), an admin on all.
 * A certificate outside the scope is not found (404) and nothing changes.
 */
@Controller('manage')
@RequireRole('manager')
export class CertificateRegisterController {
  constructor(
    private readonly register: CertificateRegisterService,
    private readonly certificates: CertificatesService,
    private readonly courses: CoursesService,
    private readonly programmes: ProgrammesService,
  ) {}

  /** The cohorts this manager may filter by: those of their programmes and those they run. */
  private async visibleCohorts(user: User) {
    const { programmes, cohorts } = await this.programmes.overviewFor({ id: user.id, role: user.role });
    const ofProgrammes = (await Promise.all(programmes.map((p) => this.programmes.cohortsOf(p.id)))).flat();
    return [...ofProgrammes, ...cohorts].map((c) => ({ id: c.id, name: c.name }));
  }

  /** What this user may see, narrowed to the filter's cohort (a cohort they do not manage gives nothing). */
  private scope(user: User, filter: RegisterFilter = {}): Promise<CertificateScope> {
    return this.programmes.managedEnrolments({ id: user.id, role: user.role }, filter.cohortId);
  }

  @Get('certificates')
  async list(@Query() query: Record<string, unknown>, @CurrentUser() user: User, @Req() req: Request, @Res() res: Response) {
    const filter = parseRegisterFilter(query);
    const [cohorts, scope] = await Promise.all([this.visibleCohorts(user), this.scope(user, filter)]);
    const current = Math.max(1, Number.parseInt(String(query.page ?? '1'), 10) || 1);
    const [{ rows, total, countsByStatus }, courses] = await Promise.all([this.register.page(filter, scope, current, PAGE_SIZE), this.courses.listPublishedCourses()]);
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const filterQuery = registerQuery(filter);
    res.render('certificates/register', {
      rows: rows.map((row) => ({
        ...row,
        hours: studyHours(row.studyMinutes),
        canRevoke: row.status !== 'revoked',
        canReissue: row.replacedBy === null && (row.status === 'issued' || row.status === 'revoked'),
        canRetry: row.status === 'failed',
        hasPdf: !!row.pdfPath,
      })),
      filter,
      courses: courses.map((c) => ({ id: c.id, title: c.title, language: c.language, selected: c.id === filter.courseId })),
      cohorts: cohorts.map((c) => ({ ...c, selected: c.id === filter.cohortId })),
      statuses: CERTIFICATE_STATUSES.map((status) => ({ status, selected: status === filter.status, count: countsByStatus[status] })),
      total,
      page: current,
      pages,
      prevPage: current > 1 ? current - 1 : null,
      nextPage: current < pages ? current + 1 : null,
      filterQuery,
      done: OUTCOMES.includes(String(query.done)) ? query.done : null,
      isAdmin: user.role === 'admin',
      csrfToken: csrfToken(req),
    });
  }

  @Get('certificates.csv')
  async csv(@Query() query: Record<string, unknown>, @CurrentUser() user: User, @Res() res: Response) {
    const filter = parseRegisterFilter(query);
    const scope = await this.scope(user, filter);
    res.set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="certificates-${today()}.csv"` });
    // pipeline, not pipe: a failure halfway ends the download instead of leaving it hanging.
    await pipeline(Readable.from(this.register.csv(filter, scope)), res);
  }

  @Get('certificates.zip')
  async zip(@Query() query: Record<string, unknown>, @CurrentUser() user: User, @Res() res: Response) {
    const filter = parseRegisterFilter(query);
    const scope = await this.scope(user, filter);
    await this.register.assertZipFits(filter, scope);
    res.set({ 'Content-Type': 'application/zip', 'Content-Disposition': `attachment; filename="certificates-${today()}.zip"` });
    await pipeline(Readable.from(this.register.zip(filter, scope)), res);
  }

  @Post('certificates/:id/revoke')
  async revoke(@Param('id', ParseIntPipe) id: number, @Body() body: Record<string, string>, @CurrentUser() user: User, @Res() res: Response) {
    try {
      await this.certificates.revoke(id, body.reason, await this.scope(user));
      res.redirect(303, backToRegister(body, 'revoked'));
    } catch (error) {
      if (!(error instanceof FormInvalidError)) throw error;
      res.redirect(303, backToRegister(body, 'reason_required'));
    }
  }

  @Post('certificates/:id/reissue')
  async reissue(@Param('id', ParseIntPipe) id: number, @Body() body: Record<string, string>, @CurrentUser() user: User, @Res() res: Response) {
    try {
      await this.certificates.reissue(id, body.holderName, body.reason, await this.scope(user));
      res.redirect(303, backToRegister(body, 'reissued'));
    } catch (error) {
      if (!(error instanceof FormInvalidError)) throw error;
      res.redirect(303, backToRegister(body, 'name_required'));
    }
  }

  @Post('certificates/:id/retry')
  async retry(@Param('id', ParseIntPipe) id: number, @Body() body: Record<string, string>, @CurrentUser() user: User, @Res() res: Response) {
    await this.certificates.retry(id, await this.scope(user));
    res.redirect(303, backToRegister(body, 'retried'));
  }
}
