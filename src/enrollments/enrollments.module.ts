import { Module } from '@nestjs/common';
import { CoursesModule } from '../courses/courses.module';
import { EnrollmentsService } from './enrollments.service';
import { LearningController } from './learning.controller';

@Module({ imports: [CoursesModule], controllers: [LearningController], providers: [EnrollmentsService], exports: [EnrollmentsService] })
export class EnrollmentsModule {}
