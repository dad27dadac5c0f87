import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { GradeStatus, QuestionResponse } from '../question.types';
import { QuizAttempt } from './quiz-attempt.entity';
import { QuizQuestion } from './quiz-question.entity';

@Entity('attempt_answers')
@Index('uq_attempt_answers_attempt_question', ['attemptId', 'questionId'], { unique: true })
@Index('idx_attempt_answers_question', ['questionId'])
@Index('idx_attempt_answers_status', ['status'])
@Index('idx_attempt_answers_attempt_question_score', ['attemptId', 'questionId', 'scorePermille'])
export class AttemptAnswer {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'attempt_id', type: 'int' })
  attemptId: number;

  @ManyToOne(() => QuizAttempt, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'attempt_id', foreignKeyConstraintName: 'fk_attempt_answers_attempt' })
  attempt?: QuizAttempt;

  @Column({ name: 'question_id', type: 'int' })
  questionId: number;

  @ManyToOne(() => QuizQuestion, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'question_id', foreignKeyConstraintName: 'fk_attempt_answers_question' })
  question?: QuizQuestion;

  @Column({ type: 'simple-json', nullable: true })
  response: QuestionResponse | null;

  /** 0–1000, set when graded (at once for most types, by a trainer for essays). */
  @Column({ name: 'score_permille', type: 'int', nullable: true })
  scorePermille: number | null;

  /** 'saved' while the attempt is open; then the grader's status. */
  @Column({ type: 'varchar', length: 20 })
  status: 'saved' | GradeStatus;

  @Column({ name: 'saved_at', type: 'datetime' })
  savedAt: Date;

  @Column({ name: 'graded_by', type: 'int', nullable: true })
  gradedBy: number | null;

  @Column({ name: 'graded_at', type: 'datetime', nullable: true })
  gradedAt: Date | null;

  @Column({ name: 'grader_comment', type: 'text', nullable: true })
  graderComment: string | null;
}
