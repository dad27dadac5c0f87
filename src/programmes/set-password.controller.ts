import { promisify } from 'node:util';
import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../auth/roles.decorator';
import { FormInvalidError } from '../common/domain-error';
import { renderForm } from '../common/forms';
import { LOCALE_COOKIE } from '../i18n/locale.middleware';
import { InvitationsService } from './invitations.service';

/** The link a bulk-enrolled learner gets: choose a password, then straight to the profile. */
@Controller('set-password')
export class SetPasswordController {
  constructor(private readonly invitations: InvitationsService) {}

  @Public()
  @Get(':token')
  async page(@Param('token') token: string, @Req() req: Request, @Res() res: Response) {
    const user = await this.invitations.findUsable(token);
    if (!user) return res.status(410).render('programmes/set-password-invalid');
    renderForm(req, res, 'programmes/set-password', { name: user.name, email: user.email, token });
  }

  @Public()
  @Post(':token')
  async save(@Param('token') token: string, @Req() req: Request, @Res() res: Response, @Body('password') password: string) {
    const user = await this.invitations.findUsable(token);
    if (!user) return res.status(410).render('programmes/set-password-invalid');
    try {
      const updated = await this.invitations.accept(token, password);
      // passport 0.7 regenerates the session here, as at any sign-in.
      await promisify(req.login.bind(req))(updated as Express.User);
      res.cookie(LOCALE_COOKIE, updated.locale, { httpOnly: true, sameSite: 'lax', maxAge: 365 * 86400_000 });
      res.redirect(303, '/account/profile?welcome=1');
    } catch (error) {
      if (!(error instanceof FormInvalidError)) throw error;
      renderForm(req, res, 'programmes/set-password', { name: user.name, email: user.email, token }, error);
    }
  }
}
