import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CurrentUser } from '../../auth/current-user.decorator';
import { Public, RequireRole } from '../../auth/roles.decorator';
import { User } from '../../users/user.entity';
import { HLS_SCRIPT_PATH, HLS_SCRIPT_FILE } from './hls-script';
import { WatchService } from './watch.service';

@Controller()
export class WatchController {
  constructor(private readonly watches: WatchService) {}

  /** The player reports what it played, as `{ ranges: [{ from, to }] }` in seconds (JSON, CSRF header). */
  @RequireRole()
  @Post('courses/:slug/lessons/:lesson/watch')
  @HttpCode(200)
  async report(@Param('slug') slug: string, @Param('lesson') lesson: string, @CurrentUser() user: User, @Body() body: unknown) {
    return this.watches.report(user.id, slug, lesson, WatchService.parseRanges(body));
  }

  /**
   * hls.js, for browsers without native HLS, served from the installed package (no CDN). The
   * version is in the URL, so it is cached for a year. Loaded only when a learner presses play.
   */
  @Public()
  @Get(HLS_SCRIPT_PATH.slice(1))
  hlsScript(@Res() res: Response) {
    res.sendFile(HLS_SCRIPT_FILE, { maxAge: '365d', immutable: true, headers: { 'Content-Type': 'text/javascript; charset=utf-8' } });
  }
}
