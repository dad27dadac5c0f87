import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../../users/user.entity';
import { Quiz } from './quiz.entity';

export const ATTEMPT_STATUSES = ['in_progress', 'awaiting_grading', 'graded'] as const;
export type AttemptStatus = (typeof ATTEMPT_STATUSES)[number];

/** What was drawn for one attempt, fixed when it starts: questions in order, each with its option order. */
export interface DrawnQuestion {
  questionId: number;
  /** Canonical option indices in the order shown (choice questions). */
  options?: number[];
  /** Right-hand texts in the order offered (matching). */
  rights?: string[];
}

@Entity('quiz_attempts')
@Index('uq_quiz_attempts_quiz_user_number', ['quizId', 'userId', 'number'], { unique: true })
@Index('idx_quiz_attempts_quiz_status', ['quizId', 'status'])
@Index('idx_quiz_attempts_status_deadline', ['status', 'deadlineAt'])
@Index('idx_quiz_attempts_user_quiz', ['userId', 'quizId'])
export class QuizAttempt {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'quiz_id', type: 'int' })
  quizId: number;

  @ManyToOne(() => Quiz, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'quiz_id', foreignKeyConstraintName: 'fk_quiz_attempts_quiz' })
  quiz?: Quiz;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_quiz_attempts_user' })
  user?: User;

  /** 1 for the learner's first attempt at this quiz, 2 for the second… */
  @Column({ type: 'int' })
  number: number;

  @Column({ type: 'simple-enum', enum: ATTEMPT_STATUSES, default: 'in_progress' })
  status: AttemptStatus;

  @Column({ type: 'simple-json' })
  drawn: DrawnQuestion[];

  @Column({ name: 'started_at', type: 'datetime' })
  startedAt: Date;

  @Column({ name: 'deadline_at', type: 'datetime', nullable: true })
  deadlineAt: Date | null;

  @Column({ name: 'closed_at', type: 'datetime', nullable: true })
  closedAt: Date | null;

  /** 'learner' when submitted, 'deadline' when the server closed it at the time limit. */
  @Column({ name: 'closed_by', type: 'varchar', length: 20, nullable: true })
  closedBy: string | null;

  /** Score in tenths of a percent (0–1000), known once every answer is graded. */
  @Column({ name: 'score_permille', type: 'int', nullable: true })
  scorePermille: number | null;

  @Column({ type: 'boolean', nullable: true })
  passed: boolean | null;
}
