import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { QuestionDefinition } from '../question.types';
import { Quiz } from './quiz.entity';

/** One question of a quiz's pool. Its name is its identity across re-imports (item statistics hang on it). */
@Entity('quiz_questions')
@Index('uq_quiz_questions_quiz_name', ['quizId', 'name'], { unique: true })
export class QuizQuestion {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'quiz_id', type: 'int' })
  quizId: number;

  @ManyToOne(() => Quiz, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'quiz_id', foreignKeyConstraintName: 'fk_quiz_questions_quiz' })
  quiz?: Quiz;

  @Column({ type: 'varchar', length: 191 })
  name: string;

  @Column({ type: 'int' })
  position: number;

  @Column({ type: 'varchar', length: 20 })
  type: string;

  /** The whole question, answers and weights included: never sent to the browser as is. */
  @Column({ type: 'simple-json' })
  definition: QuestionDefinition;

  @Column({ name: 'removed_at', type: 'datetime', nullable: true })
  removedAt: Date | null;
}
