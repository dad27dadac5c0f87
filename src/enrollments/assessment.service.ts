import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { TransactionRunner } from '../database/transaction-runner';
import { BackgroundJobs } from '../queues/background-jobs';
import { SCHEDULES } from '../queues/background.queue';
import { QuizAttempt } from '../quizzes/entities/quiz-attempt.entity';
import { QuizzesService } from '../quizzes/quizzes.service';
import { EnrollmentsService } from './enrollments.service';

/**
 * Called inside the transaction that closed an attempt (`closed`, once per attempt, graded or
 * awaiting an essay mark) or gave it its final grade (`graded`: at closing when nothing waits
 * for a trainer, otherwise when the last essay is marked, again if one is re-marked). Higher
 * modules register here (xAPI statements); enrollments never import them.
 */
export type AttemptListener = (manager: EntityManager, event: 'closed' | 'graded', attempt: QuizAttempt) => Promise<void>;

/**
 * Where a quiz result meets the course: closing an attempt (by the learner or at its
 * deadline) and marking an essay each re-apply the completion rule in the same transaction,
 * so a pass and the completion it earns commit together.
 */
@Injectable()
export class AssessmentService implements OnModuleInit {
  private readonly attemptListeners: AttemptListener[] = [];

  constructor(
    private readonly quizzes: QuizzesService,
    private readonly enrollments: EnrollmentsService,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
    private readonly jobs: BackgroundJobs,
  ) {}

  /**
   * Attempts whose learner never came back are closed and graded with what was saved, by the
   * worker on a schedule. An attempt touched after its deadline is closed there and then anyway.
   */
  onModuleInit(): void {
    this.jobs.every(SCHEDULES.quizDeadlines, () => this.closeExpiredAttempts());
  }

  onAttempt(listener: AttemptListener): void {
    this.attemptListeners.push(listener);
  }

  private async announce(manager: EntityManager, event: 'closed' | 'graded', attempt: QuizAttempt): Promise<void> {
    for (const listener of this.attemptListeners) await listener(manager, event, attempt);
  }

  async submitAttempt(attemptId: number, closedBy: 'learner' | 'deadline'): Promise<QuizAttempt> {
    const now = this.clock.now();
    return this.transactions.run(async (manager) => {
      const { attempt, closedNow } = await this.quizzes.closeAttempt(manager, attemptId, closedBy, now);
      if (!closedNow) return attempt;
      await this.announce(manager, 'closed', attempt);
      if (attempt.status === 'graded') {
        await this.announce(manager, 'graded', attempt);
        await this.reapplyCompletion(manager, attempt, now);
      }
      return attempt;
    });
  }

  /** Closes every attempt past its deadline; returns how many it closed. */
  async closeExpiredAttempts(): Promise<number> {
    let closed = 0;
    for (const attempt of await this.quizzes.findExpiredAttempts(this.clock.now())) {
      const result = await this.submitAttempt(attempt.id, 'deadline');
      if (result.closedBy === 'deadline') closed += 1;
    }
    return closed;
  }

  async gradeEssay(answerId: number, graderId: number, percent: number, comment: string): Promise<QuizAttempt> {
    const now = this.clock.now();
    return this.transactions.run(async (manager) => {
      const attempt = await this.quizzes.gradeEssay(manager, answerId, graderId, percent, comment, now);
      if (attempt.status === 'graded') {
        await this.announce(manager, 'graded', attempt);
        await this.reapplyCompletion(manager, attempt, now);
      }
      return attempt;
    });
  }

  private async reapplyCompletion(manager: EntityManager, attempt: QuizAttempt, now: Date): Promise<void> {
    // Read through the transaction's own connection: a second pooled connection would wait on
    // this transaction's locks on MariaDB and deadlock under load.
    const quiz = await this.quizzes.findQuizById(attempt.quizId, manager);
    if (!quiz) return;
    const enrollment = await this.enrollments.findEnrollment(attempt.userId, quiz.courseId, manager);
    if (enrollment) await this.enrollments.applyCompletionRule(manager, enrollment.id, now);
  }
}
