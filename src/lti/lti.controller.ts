import { Body, Controller, Get, Header, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { promisify } from 'node:util';
import { CONTENT_SECURITY_POLICY } from '../app.setup';
import { SkipCsrf } from '../auth/csrf';
import { Public } from '../auth/roles.decorator';
import { User } from '../users/user.entity';
import { LtiDeepLinkingService } from './lti-deep-linking.service';
import { LtiLaunchService } from './lti-launch.service';
import { LtiRegistrationService } from './lti-registration.service';
import { DEEP_LINKING_REQUEST } from './lti.constants';
import { ToolKeysService } from './tool-keys.service';

/**
 * Our page policy with other origins allowed: `formAction` for the page that posts the answer
 * back to the LMS, `frameAncestors` for the chooser the LMS shows in a frame of its own.
 */
function allowPlatform(res: Response, directives: { formAction?: string; frameAncestors?: string }): void {
  let policy = CONTENT_SECURITY_POLICY;
  if (directives.formAction) policy = policy.replace("form-action 'self'", `form-action 'self' ${directives.formAction}`);
  if (directives.frameAncestors) {
    policy = policy.replace("frame-ancestors 'none'", `frame-ancestors 'self' ${directives.frameAncestors}`);
    res.removeHeader('X-Frame-Options');
  }
  res.setHeader('Content-Security-Policy', policy);
}

/**
 * The LTI 1.3 endpoints a platform calls. Login and launch are cross-site requests from the LMS
 * (a form post or a redirect) carrying no session and no CSRF token: they are authenticated by
 * the platform's signed id_token instead, so they skip the CSRF guard.
 */
@Controller('lti')
@Public()
export class LtiController {
  constructor(
    private readonly launches: LtiLaunchService,
    private readonly deepLinking: LtiDeepLinkingService,
    private readonly keys: ToolKeysService,
    private readonly registrations: LtiRegistrationService,
  ) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  jwks() {
    return this.keys.publicKeySet();
  }

  /** OIDC third-party initiated login; platforms use GET or POST. */
  @Get('login')
  async loginGet(@Query() query: Record<string, unknown>, @Res() res: Response) {
    res.redirect(302, await this.launches.login(query));
  }

  @SkipCsrf()
  @Post('login')
  async loginPost(@Body() body: Record<string, unknown>, @Res() res: Response) {
    res.redirect(302, await this.launches.login(body));
  }

  /**
   * The platform's form post of the id_token. A resource link signs the learner in (a fresh
   * session: passport regenerates it) and sends them to the course with a 303, a top-level GET
   * that carries our SameSite=Lax cookie. A deep-linking request shows the course chooser.
   */
  @SkipCsrf()
  @HttpCode(200)
  @Post('launch')
  async launch(@Body() body: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    const launch = await this.launches.verifyLaunch(body.id_token, body.state);
    if (launch.messageType === DEEP_LINKING_REQUEST) {
      const chooser = await this.deepLinking.chooser(launch);
      allowPlatform(res, { frameAncestors: chooser.returnOrigin });
      return res.render('lti/choose-course', { courses: chooser.courses, context: chooser.context, pageTitle: undefined });
    }
    const { user, course } = await this.launches.acceptResourceLink(launch);
    await promisify(req.login.bind(req))(user satisfies User as Express.User);
    res.redirect(303, `/courses/${course.slug}`);
  }

  /** The instructor's choice on the chooser (inside the LMS frame, so no session: the signed context authenticates it). */
  @SkipCsrf()
  @HttpCode(200)
  @Post('deep-link')
  async deepLink(@Body() body: Record<string, unknown>, @Res() res: Response) {
    const answer = await this.deepLinking.respond(body.context, body.course);
    const origin = new URL(answer.returnUrl).origin;
    allowPlatform(res, { formAction: origin, frameAncestors: origin });
    res.render('lti/post-back', { layout: false, returnUrl: answer.returnUrl, jwt: answer.jwt });
  }

  /**
   * Dynamic registration, opened by the LMS (in its frame) with openid_configuration and
   * registration_token added to the URL from /admin/lti. The page tells the LMS we are done.
   */
  @Get('register')
  async register(@Query() query: Record<string, unknown>, @Res() res: Response) {
    const platform = await this.registrations.register(query);
    allowPlatform(res, { frameAncestors: new URL(platform.issuer).origin });
    res.render('lti/registered', { platform });
  }
}
