import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CurrentUser } from '../auth/current-user.decorator';
import { RequireRole } from '../auth/roles.decorator';
import { FormInvalidError } from '../common/domain-error';
import { renderForm } from '../common/forms';
import type { User } from '../users/user.entity';
import { MembershipService } from './membership.service';
import { profileFormFields, profileInputFromBody, profileInputOf } from './profile-form';
import { ProfilesService } from './profiles.service';

/** The learner's business profile, on its own page beside the account settings. */
@Controller('account/profile')
@RequireRole()
export class ProfileController {
  constructor(
    private readonly profiles: ProfilesService,
    private readonly membership: MembershipService,
  ) {}

  @Get()
  async page(
    @CurrentUser() user: User,
    @Req() req: Request,
    @Res() res: Response,
    @Query('saved') saved?: string,
    @Query('welcome') welcome?: string,
  ) {
    const required = await this.membership.requiredFieldsFor(user.id);
    renderForm(req, res, 'programmes/profile', {
      fields: profileFormFields(profileInputOf(await this.profiles.find(user.id)), required),
      saved: saved === '1',
      welcome: welcome === '1',
    });
  }

  @Post()
  async save(@CurrentUser() user: User, @Req() req: Request, @Res() res: Response, @Body() body: Record<string, unknown>) {
    const required = await this.membership.requiredFieldsFor(user.id);
    const input = profileInputFromBody(body);
    try {
      await this.profiles.update(user.id, input, required);
      res.redirect(303, '/account/profile?saved=1');
    } catch (error) {
      if (!(error instanceof FormInvalidError)) throw error;
      renderForm(req, res, 'programmes/profile', { fields: profileFormFields(input, required, error.fields) }, error);
    }
  }
}
