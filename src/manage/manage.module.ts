import { Module } from '@nestjs/common';
import { CoursesModule } from '../courses/courses.module';
import { EnrollmentsModule } from '../enrollments/enrollments.module';
import { ManageController } from './manage.controller';

@Module({ imports: [CoursesModule, EnrollmentsModule], controllers: [ManageController] })
export class ManageModule {}
