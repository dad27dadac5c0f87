import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CurrentUser } from '../auth/current-user.decorator';
import { Public, RequireRole } from '../auth/roles.decorator';
import { FormInvalidError, NotFoundError } from '../common/domain-error';
import { renderForm } from '../common/forms';
import type { User } from '../users/user.entity';
import { Cohort } from './entities/cohort.entity';
import { Programme } from './entities/programme.entity';
import { InOtherCohortError, MembershipService } from './membership.service';
import { profileFormFields, profileInputFromBody, profileInputOf } from './profile-form';
import { ProfileInput } from './profile-fields';
import { ProfilesService } from './profiles.service';
import { normalizeCode, ProgrammesService } from './programmes.service';
import { todayIso } from './stats/weeks';

/** Joining a cohort with its enrolment code or link (/join/<code>). */
@Controller('join')
export class JoinController {
  constructor(
    private readonly programmes: ProgrammesService,
    private readonly membership: MembershipService,
    private readonly profiles: ProfilesService,
  ) {}

  @Public()
  @Get()
  enterCode(@Req() req: Request, @Res() res: Response, @Query('code') code?: string) {
    if (code && normalizeCode(code)) return res.redirect(303, `/join/${encodeURIComponent(normalizeCode(code))}`);
    res.render('programmes/join-code');
  }

  private async open(code: string): Promise<{ cohort: Cohort; programme: Programme; closed: boolean }> {
    const found = await this.programmes.findCohortByCode(code);
    if (!found) throw new NotFoundError('join.code_invalid');
    return { ...found, closed: !!found.cohort.endsOn && found.cohort.endsOn < todayIso(new Date()) };
  }

  private async render(req: Request, res: Response, found: { cohort: Cohort; programme: Programme; closed: boolean }, input?: ProfileInput, error?: FormInvalidError) {
    const user = req.user as User | undefined;
    const member = user ? await this.membership.findMembership(found.programme.id, user.id) : null;
    const courses = await this.programmes.cohortCourses(found.cohort.id);
    const profile = input ?? (user ? profileInputOf(await this.profiles.find(user.id)) : {});
    const context = {
      cohort: found.cohort,
      programme: found.programme,
      closed: found.closed,
      courses,
      signedIn: !!user,
      inThisCohort: member?.cohortId === found.cohort.id,
      inOtherCohort: !!member && member.cohortId !== found.cohort.id,
      joinPath: `/join/${found.cohort.enrolCode}`,
      fields: profileFormFields(profile, found.programme.requiredFields, error?.fields),
    };
    if (!user) return res.render('programmes/join', context);
    renderForm(req, res, 'programmes/join', context, error);
  }

  @Public()
  @Get(':code')
  async page(@Param('code') code: string, @Req() req: Request, @Res() res: Response) {
    await this.render(req, res, await this.open(code));
  }

  @RequireRole()
  @Post(':code')
  async join(
    @Param('code') code: string,
    @CurrentUser() user: User,
    @Req() req: Request,
    @Res() res: Response,
    @Body() body: Record<string, unknown>,
  ) {
    const found = await this.open(code);
    if (found.closed) return this.render(req, res, found);
    const input = profileInputFromBody(body);
    try {
      await this.membership.joinWithCode(found.cohort, found.programme, user.id, input);
      res.redirect(303, `/dashboard?joined=${found.cohort.id}`);
    } catch (error) {
      if (error instanceof InOtherCohortError) return this.render(req, res.status(409), found, input);
      if (!(error instanceof FormInvalidError)) throw error;
      await this.render(req, res, found, input, error);
    }
  }
}
