import { Controller, Get, HttpCode, Param, ParseIntPipe, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { csrfToken } from '../auth/csrf';
import { RequireRole } from '../auth/roles.decorator';
import { VideosService } from './videos.service';

/** Where an admin sees videos that failed to transcode, with the reason, and queues them again. */
@Controller('admin/videos')
@RequireRole('admin')
export class AdminVideosController {
  constructor(private readonly videos: VideosService) {}

  @Get()
  async list(@Req() req: Request, @Res() res: Response) {
    const [failed, working] = await Promise.all([this.videos.failures(), this.videos.inProgress()]);
    res.render('admin/videos', { failed, working, csrfToken: csrfToken(req), retried: req.query.retried });
  }

  @Post(':id/retry')
  @HttpCode(200)
  async retry(@Param('id', ParseIntPipe) id: number, @Res() res: Response) {
    await this.videos.retry(id);
    res.redirect(303, `/admin/videos?retried=${id}`);
  }
}
