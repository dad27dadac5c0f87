import { Module } from '@nestjs/common';
import { CoursesModule } from '../courses/courses.module';
import { ContentService } from './content.service';

@Module({ imports: [CoursesModule], providers: [ContentService], exports: [ContentService] })
export class ContentModule {}
