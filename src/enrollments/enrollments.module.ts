import { Module } from '@nestjs/common';
import { CoursesModule } from '../courses/courses.module';
import { QuizzesModule } from '../quizzes/quizzes.module';
import { AssessmentService } from './assessment.service';
import { DashboardSections } from './dashboard-sections';
import { CourseRefreshService } from './course-refresh.service';
import { EnrollmentsService } from './enrollments.service';
import { LearningController } from './learning.controller';
import { LessonExtensions } from './lesson-extensions';
import { QuizController } from './quiz.controller';

@Module({
  imports: [CoursesModule, QuizzesModule],
  controllers: [LearningController, QuizController],
  providers: [EnrollmentsService, AssessmentService, DashboardSections, CourseRefreshService, LessonExtensions],
  exports: [EnrollmentsService, AssessmentService, DashboardSections, CourseRefreshService, LessonExtensions],
})
export class EnrollmentsModule {}
