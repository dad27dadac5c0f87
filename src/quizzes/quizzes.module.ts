import { Module } from '@nestjs/common';
import { QuizStatisticsController } from './quiz-statistics.controller';
import { QuizStatisticsService } from './quiz-statistics.service';
import { QuizzesService } from './quizzes.service';

@Module({
  controllers: [QuizStatisticsController],
  providers: [QuizzesService, QuizStatisticsService],
  exports: [QuizzesService, QuizStatisticsService],
})
export class QuizzesModule {}
