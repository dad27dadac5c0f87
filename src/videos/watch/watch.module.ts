import { DynamicModule, Module, OnModuleInit } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';
import { AuthoringModule } from '../../authoring/authoring.module';
import { CoursesModule } from '../../courses/courses.module';
import { EnrollmentsModule } from '../../enrollments/enrollments.module';
import { LessonExtensions } from '../../enrollments/lesson-extensions';
import { VideosModule } from '../videos.module';
import { VideosService } from '../videos.service';
import { LessonVideoSource } from './lesson-video-source';
import { VideoLessonExtension } from './video-lesson.extension';
import { WatchController } from './watch.controller';
import { WatchStatsController } from './watch-stats.controller';
import { WatchService } from './watch.service';

/** The learner's side of lesson videos: the player on the lesson page, watched ranges, completion by watching. */
@Module({})
export class WatchModule implements OnModuleInit {
  /** Imports VideosModule.forRoot with the same config as AppModule (Nest keeps one instance). */
  static forRoot(config: Pick<AppConfig, 'role'>): DynamicModule {
    return {
      module: WatchModule,
      imports: [AuthoringModule, CoursesModule, EnrollmentsModule, VideosModule.forRoot(config)],
      controllers: [WatchController, WatchStatsController],
      providers: [WatchService, VideoLessonExtension, { provide: LessonVideoSource, useExisting: VideosService }],
      exports: [WatchService],
    };
  }

  constructor(
    private readonly extensions: LessonExtensions,
    private readonly extension: VideoLessonExtension,
  ) {}

  onModuleInit(): void {
    this.extensions.register(this.extension);
  }
}
