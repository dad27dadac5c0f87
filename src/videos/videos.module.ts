import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { AuthoringModule } from '../authoring/authoring.module';
import { ContentModule } from '../content/content.module';
import type { AppConfig } from '../config/app-config';
import { AdminVideosController } from './admin-videos.controller';
import { AuthorVideosController } from './author-videos.controller';
import { MediaController } from './media.controller';
import { VideoUploadMiddleware } from './video-upload.middleware';
import { VideosProcessor } from './videos.processor';
import { VIDEO_JOB_OPTIONS, VIDEOS_QUEUE } from './videos.queue';
import { VideosService } from './videos.service';

/**
 * Video lessons: upload, transcode (worker role), captions, media serving, and the cached view
 * lesson pages use (VideosService.videosForCourse).
 */
@Module({})
export class VideosModule implements NestModule {
  static forRoot(config: Pick<AppConfig, 'role'>): DynamicModule {
    const web = config.role !== 'worker';
    const worker = config.role !== 'web';
    return {
      module: VideosModule,
      imports: [AuthoringModule, ContentModule, BullModule.registerQueue({ name: VIDEOS_QUEUE, defaultJobOptions: VIDEO_JOB_OPTIONS })],
      controllers: web ? [AuthorVideosController, MediaController, AdminVideosController] : [],
      providers: [VideosService, ...(worker ? [VideosProcessor] : [])],
      exports: [VideosService],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(VideoUploadMiddleware).forRoutes({ path: 'author/videos/*path', method: RequestMethod.POST });
  }
}
