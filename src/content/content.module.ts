import { Module } from '@nestjs/common';
import { CoursesModule } from '../courses/courses.module';
import { QuizzesModule } from '../quizzes/quizzes.module';
import { ContentService } from './content.service';

@Module({ imports: [CoursesModule, QuizzesModule], providers: [ContentService], exports: [ContentService] })
export class ContentModule {}
