import { Module } from '@nestjs/common';
import { QuizStatisticsService } from './quiz-statistics.service';
import { QuizzesService } from './quizzes.service';

@Module({
  providers: [QuizzesService, QuizStatisticsService],
  exports: [QuizzesService, QuizStatisticsService],
})
export class QuizzesModule {}
