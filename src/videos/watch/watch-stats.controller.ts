import { Controller, Get, Param, ParseIntPipe, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CurrentUser } from '../../auth/current-user.decorator';
import { RequireRole } from '../../auth/roles.decorator';
import { courseHeader } from '../../authoring/author-pages';
import { CourseAccessService } from '../../authoring/course-access.service';
import { NotFoundError } from '../../common/domain-error';
import type { User } from '../../users/user.entity';
import { LESSON_SLUG } from '../author-videos.controller';
import { clockTime } from './player-view';
import { WatchService } from './watch.service';

/** How learners watch a lesson's published video: for the course's authors (and admins). */
@Controller('author/videos')
@RequireRole('trainer')
export class WatchStatsController {
  constructor(
    private readonly access: CourseAccessService,
    private readonly watches: WatchService,
  ) {}

  @Get(':courseId/:slug/watching')
  async show(@Param('courseId', ParseIntPipe) courseId: number, @Param('slug') slug: string, @CurrentUser() user: User, @Req() req: Request, @Res() res: Response) {
    if (!LESSON_SLUG.test(slug)) throw new NotFoundError('errors.lesson_not_found');
    const { course } = await this.access.access(user, courseId);
    const stats = await this.watches.watchingStats(course.slug, slug);
    res.render('author/video-watching', {
      course: courseHeader(course),
      slug,
      pageTitle: course.title,
      stats: stats && {
        ...stats,
        reachedShare: stats.reachedRequired !== null && stats.started ? Math.round((stats.reachedRequired * 100) / stats.started) : 0,
        tenths: stats.tenths.map((t) => ({ ...t, label: `${clockTime(t.from)}–${clockTime(t.to)}` })),
      },
    });
  }
}
