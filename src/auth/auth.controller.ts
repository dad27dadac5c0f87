import { Body, Controller, Get, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { promisify } from 'node:util';
import { FormInvalidError } from '../common/domain-error';
import { renderForm, safeNext } from '../common/forms';
import { isLocale } from '../i18n/i18n.service';
import { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { LOCALE_COOKIE } from '../i18n/locale.middleware';
import { AuthService } from './auth.service';
import { CurrentUser } from './current-user.decorator';
import { LocalLoginGuard } from './local-login.guard';
import { Public, RequireRole } from './roles.decorator';
import { SetupService } from './setup.service';

type Form = Record<string, string>;

async function logIn(req: Request, user: User): Promise<void> {
  // passport 0.7 regenerates the session id here, so a fixated id is worthless.
  await promisify(req.login.bind(req))(user as Express.User);
}

@Controller()
export class AuthController {
  constructor(
    private readonly users: UsersService,
    private readonly setup: SetupService,
    private readonly auth: AuthService,
  ) {}

  @Public()
  @Get('login')
  loginPage(@Req() req: Request, @Res() res: Response, @Query('next') next?: string) {
    if (req.user) return res.redirect(safeNext(next));
    renderForm(req, res, 'auth/login', { values: { next: safeNext(next) }, unlocked: req.query.unlocked === '1' });
  }

  /** The link mailed when an account is locked for unknown addresses (AuthService.mailUnlockLink). */
  @Public()
  @Get('login/unlock/:token')
  async unlockPage(@Param('token') token: string, @Req() req: Request, @Res() res: Response) {
    const user = await this.auth.checkUnlockLink(token);
    if (!user) res.status(410);
    renderForm(req, res, 'auth/unlock', { token, invalid: !user });
  }

  @Public()
  @Post('login/unlock/:token')
  async unlock(@Param('token') token: string, @Req() req: Request, @Res() res: Response) {
    const user = await this.auth.redeemUnlockLink(token, req.ip ?? 'unknown');
    if (!user) return renderForm(req, res.status(410), 'auth/unlock', { invalid: true });
    res.redirect(303, '/login?unlocked=1');
  }

  @Public()
  @UseGuards(LocalLoginGuard)
  @Post('login')
  async login(@Req() req: Request, @Res() res: Response, @Body() body: Form) {
    const user = req.user as User | undefined;
    if (!user) {
      res.status(401);
      return renderForm(req, res, 'auth/login', { values: { email: body.email ?? '', next: safeNext(body.next) }, loginFailed: true });
    }
    await logIn(req, user);
    res.cookie(LOCALE_COOKIE, user.locale, { httpOnly: true, sameSite: 'lax', maxAge: 365 * 86400_000 });
    res.redirect(303, safeNext(body.next));
  }

  @Public()
  @Get('register')
  registerPage(@Req() req: Request, @Res() res: Response, @Query('next') next?: string) {
    if (req.user) return res.redirect(safeNext(next));
    renderForm(req, res, 'auth/register', { values: { locale: res.locals.locale, next: safeNext(next, '') } });
  }

  @Public()
  @Post('register')
  async register(@Req() req: Request, @Res() res: Response, @Body() body: Form) {
    try {
      const result = await this.auth.register({ name: body.name, email: body.email, password: body.password, locale: body.locale });
      if ('checkEmail' in result) return res.status(200).render('auth/check-email', { email: result.checkEmail });
      const user = result.user;
      await logIn(req, user);
      res.cookie(LOCALE_COOKIE, user.locale, { httpOnly: true, sameSite: 'lax', maxAge: 365 * 86400_000 });
      res.redirect(303, safeNext(body.next, '/courses'));
    } catch (error) {
      if (!(error instanceof FormInvalidError)) throw error;
      renderForm(req, res, 'auth/register', {}, error);
    }
  }

  @RequireRole()
  @Post('logout')
  async logout(@Req() req: Request, @Res() res: Response) {
    await promisify(req.logout.bind(req))();
    await promisify(req.session.destroy.bind(req.session))();
    res.redirect(303, '/');
  }

  @RequireRole()
  @Get('account')
  accountPage(@CurrentUser() user: User, @Req() req: Request, @Res() res: Response, @Query('saved') saved?: string) {
    renderForm(req, res, 'auth/account', {
      values: { name: user.name, certificateName: user.certificateName ?? '', locale: user.locale, dataSaver: user.dataSaver },
      saved: saved === 'profile',
      passwordSaved: saved === 'password',
    });
  }

  @RequireRole()
  @Post('account')
  async updateAccount(@CurrentUser() user: User, @Req() req: Request, @Res() res: Response, @Body() body: Form) {
    try {
      const updated = await this.users.updateProfile(user.id, { name: body.name, certificateName: body.certificateName ?? '', locale: body.locale, dataSaver: body.dataSaver === 'on' });
      res.cookie(LOCALE_COOKIE, updated.locale, { httpOnly: true, sameSite: 'lax', maxAge: 365 * 86400_000 });
      res.redirect(303, '/account?saved=profile');
    } catch (error) {
      if (!(error instanceof FormInvalidError)) throw error;
      renderForm(req, res, 'auth/account', {}, error);
    }
  }

  @RequireRole()
  @Post('account/password')
  async changePassword(@CurrentUser() user: User, @Req() req: Request, @Res() res: Response, @Body() body: Form) {
    try {
      await this.users.changePassword(user.id, body.currentPassword, body.newPassword);
      res.redirect(303, '/account?saved=password');
    } catch (error) {
      if (!(error instanceof FormInvalidError)) throw error;
      renderForm(req, res, 'auth/account', { values: { name: user.name, certificateName: user.certificateName ?? '', locale: user.locale } }, error);
    }
  }

  /** The anonymous language switch: a plain link that only sets a cookie. */
  @Public()
  @Get('locale/:locale')
  switchLocale(@Param('locale') locale: string, @Query('next') next: string, @Res() res: Response) {
    if (isLocale(locale)) res.cookie(LOCALE_COOKIE, locale, { httpOnly: true, sameSite: 'lax', maxAge: 365 * 86400_000 });
    res.redirect(303, safeNext(next, '/'));
  }

  /** Signed in, the switch is a form (CSRF-protected) and is kept on the account. */
  @RequireRole()
  @Post('locale')
  async saveLocale(@CurrentUser() user: User, @Res() res: Response, @Body() body: Form) {
    if (isLocale(body.locale)) {
      await this.users.setLocale(user.id, body.locale);
      res.cookie(LOCALE_COOKIE, body.locale, { httpOnly: true, sameSite: 'lax', maxAge: 365 * 86400_000 });
    }
    res.redirect(303, safeNext(body.next, '/'));
  }

  @Public()
  @Get('setup')
  async setupPage(@Req() req: Request, @Res() res: Response, @Query('token') token: string) {
    if (!(await this.setup.isValidToken(token))) {
      res.status(403);
      return res.render('auth/setup-closed');
    }
    renderForm(req, res, 'auth/setup', { values: { token, locale: res.locals.locale } });
  }

  @Public()
  @Post('setup')
  async createAdmin(@Req() req: Request, @Res() res: Response, @Body() body: Form) {
    if (!(await this.setup.isValidToken(body.token))) {
      res.status(403);
      return res.render('auth/setup-closed');
    }
    try {
      const admin = await this.setup.createFirstAdmin(body.token, { name: body.name, email: body.email, password: body.password, locale: body.locale });
      await logIn(req, admin);
      res.redirect(303, '/admin/users');
    } catch (error) {
      if (!(error instanceof FormInvalidError)) throw error;
      renderForm(req, res, 'auth/setup', { values: { token: body.token } }, error);
    }
  }
}
