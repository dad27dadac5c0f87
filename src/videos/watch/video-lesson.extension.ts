import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import type { Enrollment } from '../../enrollments/enrollment.entity';
import type { LessonExtension, LessonPageContext } from '../../enrollments/lesson-extensions';
import type { LessonOutline } from '../../courses/courses.service';
import { HLS_SCRIPT_PATH } from './hls-script';
import { LessonVideoSource } from './lesson-video-source';
import { playerView } from './player-view';
import { WatchService } from './watch.service';

/** Puts a lesson's ready video on its page (no query once warm) and holds "mark complete" until it was watched. */
@Injectable()
export class VideoLessonExtension implements LessonExtension {
  constructor(
    private readonly videos: LessonVideoSource,
    private readonly watches: WatchService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async lessonPage({ course, lesson, user }: LessonPageContext): Promise<Record<string, unknown>> {
    const video = (await this.videos.videosForCourse(course.id)).get(lesson.id);
    if (!video || video.status !== 'ready') return {};
    return {
      video: {
        ...playerView(video, { dataSaver: !!user.dataSaver, offlineBudgetBytes: this.config.video.offlineBudgetBytes }),
        hlsScript: HLS_SCRIPT_PATH,
        watchUrl: `/courses/${course.slug}/lessons/${lesson.slug}/watch`,
      },
    };
  }

  beforeComplete(enrollment: Enrollment, lesson: Pick<LessonOutline, 'id' | 'courseId'>): Promise<void> {
    return this.watches.ensureWatched(enrollment, lesson);
  }
}
