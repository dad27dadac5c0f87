import { Inject, Injectable, Optional } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { QuizQuestion } from './entities/quiz-question.entity';
import { Quiz } from './entities/quiz.entity';

export interface QuestionStatistics {
  questionId: number;
  name: string;
  type: string;
  answers: number;
  /** Mean score as a share of the mark, 0–1 (classical "facility" or p-value). */
  facility: number | null;
  /** Facility in the top 27% of attempts minus facility in the bottom 27%, −1…1. */
  discrimination: number | null;
}

export interface QuizStatistics {
  quiz: Quiz;
  computedAt: Date;
  attempts: number;
  passRate: number | null;
  meanPercent: number | null;
  /** Attempts per score band: 0–9%, 10–19%, … 90–100%. */
  distribution: number[];
  questions: QuestionStatistics[];
}

const GROUP_SHARE = 0.27;
export const STATISTICS_CACHE_MS = Symbol('STATISTICS_CACHE_MS');

/**
 * Item statistics from stored attempts. Two queries whatever the volume: the sorted attempt
 * scores (for the bands, pass rate and the 27% cut-offs) and one grouped pass over the answers
 * (covered by an index). At 100k attempts that pass takes about a second, so a result is kept
 * for a minute: trainers read these pages far more often than the numbers move.
 */
@Injectable()
export class QuizStatisticsService {
  private readonly cache = new Map<number, QuizStatistics>();

  constructor(
    private readonly dataSource: DataSource,
    @Optional() @Inject(STATISTICS_CACHE_MS) private readonly cacheMs: number = 60_000,
  ) {}

  async forQuiz(quiz: Quiz, now = new Date()): Promise<QuizStatistics> {
    const cached = this.cache.get(quiz.id);
    if (cached && now.getTime() - cached.computedAt.getTime() < this.cacheMs) return cached;
    const fresh = await this.compute(quiz, now);
    if (this.cacheMs > 0) this.cache.set(quiz.id, fresh);
    return fresh;
  }

  private async compute(quiz: Quiz, now: Date): Promise<QuizStatistics> {
    const scores: number[] = (
      await this.dataSource.query(
        "SELECT score_permille AS score FROM quiz_attempts WHERE quiz_id = ? AND status = 'graded' ORDER BY score_permille ASC",
        [quiz.id],
      )
    ).map((row: { score: number | string }) => Number(row.score));
    const n = scores.length;
    const distribution = Array.from({ length: 10 }, () => 0);
    for (const score of scores) distribution[Math.min(9, Math.floor(score / 100))] += 1;
    const groupSize = Math.floor(n * GROUP_SHARE);
    const lowCut = groupSize > 0 ? scores[groupSize - 1] : null;
    const highCut = groupSize > 0 ? scores[n - groupSize] : null;

    const rows: { questionId: number; answers: string; total: string; highSum: string; highN: string; lowSum: string; lowN: string }[] =
      await this.dataSource.query(
        `SELECT a.question_id AS questionId,
                COUNT(*) AS answers,
                SUM(a.score_permille) AS total,
                SUM(CASE WHEN t.score_permille >= ? THEN a.score_permille ELSE 0 END) AS highSum,
                SUM(CASE WHEN t.score_permille >= ? THEN 1 ELSE 0 END) AS highN,
                SUM(CASE WHEN t.score_permille <= ? THEN a.score_permille ELSE 0 END) AS lowSum,
                SUM(CASE WHEN t.score_permille <= ? THEN 1 ELSE 0 END) AS lowN
           FROM attempt_answers a
           JOIN quiz_attempts t ON t.id = a.attempt_id
          WHERE t.quiz_id = ? AND t.status = 'graded' AND a.score_permille IS NOT NULL
          GROUP BY a.question_id`,
        [highCut ?? 1001, highCut ?? 1001, lowCut ?? -1, lowCut ?? -1, quiz.id],
      );
    const byQuestion = new Map(rows.map((r) => [Number(r.questionId), r]));
    const questions = await this.dataSource.getRepository(QuizQuestion).find({ where: { quizId: quiz.id, removedAt: IsNull() }, order: { position: 'ASC' } });
    return {
      quiz,
      computedAt: now,
      attempts: n,
      passRate: n ? scores.filter((s) => s >= quiz.passMark * 10).length / n : null,
      meanPercent: n ? scores.reduce((a, b) => a + b, 0) / n / 10 : null,
      distribution,
      questions: questions.map((question) => {
        const row = byQuestion.get(question.id);
        const answers = Number(row?.answers ?? 0);
        const facility = answers ? Number(row?.total) / answers / 1000 : null;
        const highN = Number(row?.highN ?? 0);
        const lowN = Number(row?.lowN ?? 0);
        const discrimination =
          highN && lowN ? Number(row?.highSum) / highN / 1000 - Number(row?.lowSum) / lowN / 1000 : null;
        return { questionId: question.id, name: question.name, type: question.type, answers, facility, discrimination };
      }),
    };
  }
}
