import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ContentModule } from '../content/content.module';
import { CoursesModule } from '../courses/courses.module';
import { EnrollmentsModule } from '../enrollments/enrollments.module';
import { QuizzesModule } from '../quizzes/quizzes.module';
import { UsersModule } from '../users/users.module';
import { AuthorCoursesController } from './author-courses.controller';
import { AuthorLessonsController } from './author-lessons.controller';
import { AuthorPreviewController } from './author-preview.controller';
import { AuthorQuizzesController } from './author-quizzes.controller';
import { AuthoringUploadMiddleware } from './authoring-upload.middleware';
import { AuthoringService } from './authoring.service';
import { CourseAccessService } from './course-access.service';
import { CourseExportService } from './course-export.service';
import { DraftsService } from './drafts.service';
import { GradingController } from './grading.controller';
import { LessonImagesController } from './lesson-images.controller';
import { LessonImagesService } from './lesson-images.service';
import { PublishingService } from './publishing.service';
import { QuizStatisticsController } from './quiz-statistics.controller';

/**
 * Trainers build, preview and publish courses in the browser (/author), and export them as content/ folders;
 * they mark essays and read item statistics of the courses they author.
 */
@Module({
  imports: [UsersModule, CoursesModule, QuizzesModule, ContentModule, EnrollmentsModule, AuditModule],
  controllers: [
    AuthorCoursesController,
    AuthorLessonsController,
    AuthorQuizzesController,
    AuthorPreviewController,
    LessonImagesController,
    GradingController,
    QuizStatisticsController,
  ],
  providers: [
    CourseAccessService,
    DraftsService,
    AuthoringService,
    PublishingService,
    LessonImagesService,
    CourseExportService,
  ],
  exports: [CourseExportService, CourseAccessService, PublishingService],
})
export class AuthoringModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(AuthoringUploadMiddleware)
      .forRoutes({ path: 'author/courses/*path', method: RequestMethod.POST });
  }
}
