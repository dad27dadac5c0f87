import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { CourseModule } from '../../courses/course-module.entity';
import { Course } from '../../courses/course.entity';

export const QUIZ_GRADING = ['highest', 'latest'] as const;
export type QuizGrading = (typeof QUIZ_GRADING)[number];
export const QUIZ_REVIEW = ['score', 'wrong', 'full'] as const;
export type QuizReview = (typeof QUIZ_REVIEW)[number];

/** A module check (after a lesson) or the course's final assessment. */
@Entity('quizzes')
@Index('uq_quizzes_course_slug', ['courseId', 'slug'], { unique: true })
export class Quiz {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'course_id', type: 'int' })
  courseId: number;

  @ManyToOne(() => Course, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'course_id', foreignKeyConstraintName: 'fk_quizzes_course' })
  course?: Course;

  /** The lesson this check follows; null for the final assessment. */
  @Column({ name: 'module_id', type: 'int', nullable: true })
  moduleId: number | null;

  @ManyToOne(() => CourseModule, { onDelete: 'SET NULL', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'module_id', foreignKeyConstraintName: 'fk_quizzes_module' })
  module?: CourseModule;

  @Column({ type: 'varchar', length: 100 })
  slug: string;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ name: 'is_final', type: 'boolean', default: false })
  isFinal: boolean;

  /** Must be passed for the course to complete (the final always is). */
  @Column({ type: 'boolean', default: false })
  required: boolean;

  @Column({ name: 'pass_mark', type: 'int' })
  passMark: number;

  /** 0 = unlimited. */
  @Column({ name: 'max_attempts', type: 'int', default: 0 })
  maxAttempts: number;

  /** 0 = no limit. Enforced on the server from the attempt's deadline. */
  @Column({ name: 'time_limit_seconds', type: 'int', default: 0 })
  timeLimitSeconds: number;

  /** Questions drawn per attempt from the pool; 0 = all. */
  @Column({ name: 'draw_count', type: 'int', default: 0 })
  drawCount: number;

  @Column({ name: 'shuffle_questions', type: 'boolean', default: true })
  shuffleQuestions: boolean;

  @Column({ name: 'shuffle_options', type: 'boolean', default: true })
  shuffleOptions: boolean;

  @Column({ type: 'simple-enum', enum: QUIZ_GRADING, default: 'highest' })
  grading: QuizGrading;

  @Column({ type: 'simple-enum', enum: QUIZ_REVIEW, default: 'full' })
  review: QuizReview;

  @Column({ name: 'removed_at', type: 'datetime', nullable: true })
  removedAt: Date | null;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;
}
