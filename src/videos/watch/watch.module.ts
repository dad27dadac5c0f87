import { Module, OnModuleInit } from '@nestjs/common';
import { CoursesModule } from '../../courses/courses.module';
import { EnrollmentsModule } from '../../enrollments/enrollments.module';
import { LessonExtensions } from '../../enrollments/lesson-extensions';
import { VideosModule } from '../videos.module';
import { VideosService } from '../videos.service';
import { LessonVideoSource } from './lesson-video-source';
import { VideoLessonExtension } from './video-lesson.extension';
import { WatchController } from './watch.controller';
import { WatchService } from './watch.service';

/** The learner's side of lesson videos: the player on the lesson page, watched ranges, completion by watching. */
@Module({
  imports: [CoursesModule, EnrollmentsModule, VideosModule],
  controllers: [WatchController],
  providers: [WatchService, VideoLessonExtension, { provide: LessonVideoSource, useExisting: VideosService }],
  exports: [WatchService],
})
export class WatchModule implements OnModuleInit {
  constructor(
    private readonly extensions: LessonExtensions,
    private readonly extension: VideoLessonExtension,
  ) {}

  onModuleInit(): void {
    this.extensions.register(this.extension);
  }
}
