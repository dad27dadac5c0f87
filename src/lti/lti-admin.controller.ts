import { Body, Controller, Get, Inject, Param, ParseIntPipe, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { RequireRole } from '../auth/roles.decorator';
import { FormInvalidError } from '../common/domain-error';
import { renderForm } from '../common/forms';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { LtiPlatformsService, PlatformForm } from './lti-platforms.service';
import { LtiRegistrationService } from './lti-registration.service';
import { TOOL_PATHS } from './lti.constants';

/** /admin/lti: what to paste into the LMS, and the platforms (LMSs) allowed to launch us. */
@Controller('admin/lti')
@RequireRole('admin')
export class LtiAdminController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly platforms: LtiPlatformsService,
    private readonly registrations: LtiRegistrationService,
  ) {}

  @Get()
  async page(@Req() req: Request, @Res() res: Response) {
    renderForm(req, res, 'lti/admin', await this.context(req));
  }

  @Post('platforms')
  async register(@Req() req: Request, @Res() res: Response, @Body() body: PlatformForm) {
    try {
      const platform = await this.platforms.register(body);
      res.redirect(303, `/admin/lti?added=${platform.id}`);
    } catch (error) {
      if (!(error instanceof FormInvalidError)) throw error;
      renderForm(req, res, 'lti/admin', await this.context(req), error);
    }
  }

  @Post('platforms/:id/delete')
  async remove(@Param('id', ParseIntPipe) id: number, @Res() res: Response) {
    await this.platforms.remove(id);
    res.redirect(303, '/admin/lti?removed=1');
  }

  private async context(req: Request) {
    const base = this.config.baseUrl;
    return {
      tool: {
        toolUrl: `${base}${TOOL_PATHS.launch}`,
        loginUrl: `${base}${TOOL_PATHS.login}`,
        redirectUrls: `${base}${TOOL_PATHS.launch}`,
        deepLinkUrl: `${base}${TOOL_PATHS.deepLink}`,
        jwksUrl: `${base}${TOOL_PATHS.jwks}`,
        registrationUrl: await this.registrations.registrationUrl(),
      },
      platforms: (await this.platforms.list()).map((p) => ({ ...p, deployments: p.deploymentIds.join(', ') })),
      added: req.query.added !== undefined,
      removed: req.query.removed !== undefined,
    };
  }
}
