import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Enrollment } from '../../enrollments/enrollment.entity';
import { Cohort } from './cohort.entity';

/** Per quiz of the course: 'a' attempted (a graded attempt, not passed yet), 'p' passed. */
export type QuizState = Record<string, 'a' | 'p'>;

/**
 * One course taken as part of a cohort: the enrolment, where the learner stands in it and the
 * profile fields reports break down by, copied here. Every change to a row goes through
 * ProgrammeStatsService, which moves the programme's counters by the same difference, so the
 * counters always equal a recount of these rows (and these rows a recount of their sources).
 */
@Entity('cohort_enrolments')
@Index('uq_cohort_enrolments_cohort_course_user', ['cohortId', 'courseId', 'userId'], { unique: true })
@Index('idx_cohort_enrolments_enrollment', ['enrollmentId'])
@Index('idx_cohort_enrolments_programme_course', ['programmeId', 'courseId', 'enrolledWeek'])
@Index('idx_cohort_enrolments_user', ['userId'])
@Index('idx_cohort_enrolments_open', ['programmeId', 'courseId', 'completedAt', 'lastActivityAt'])
@Index('idx_cohort_enrolments_uncertified', ['certified', 'completedAt'])
export class CohortEnrolment {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'programme_id', type: 'int' })
  programmeId: number;

  @Column({ name: 'cohort_id', type: 'int' })
  cohortId: number;

  @ManyToOne(() => Cohort, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'cohort_id', foreignKeyConstraintName: 'fk_cohort_enrolments_cohort' })
  cohort?: Cohort;

  @Column({ name: 'course_id', type: 'int' })
  courseId: number;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @Column({ name: 'enrollment_id', type: 'int' })
  enrollmentId: number;

  @ManyToOne(() => Enrollment, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'enrollment_id', foreignKeyConstraintName: 'fk_cohort_enrolments_enrollment' })
  enrollment?: Enrollment;

  /** When the course came to the learner through the cohort (joining, or the course being added). */
  @Column({ name: 'enrolled_at', type: 'datetime' })
  enrolledAt: Date;

  /** Reporting week (Monday to Sunday, Pakistan time) of enrolled_at; see stats/weeks.ts. */
  @Column({ name: 'enrolled_week', type: 'int' })
  enrolledWeek: number;

  @Column({ name: 'progress_percent', type: 'int', default: 0 })
  progressPercent: number;

  @Column({ type: 'boolean', default: false })
  started: boolean;

  @Column({ type: 'boolean', default: false })
  halfway: boolean;

  @Column({ name: 'completed_at', type: 'datetime', nullable: true })
  completedAt: Date | null;

  @Column({ name: 'completed_week', type: 'int', nullable: true })
  completedWeek: number | null;

  @Column({ name: 'days_to_complete', type: 'int', nullable: true })
  daysToComplete: number | null;

  @Column({ type: 'boolean', default: false })
  certified: boolean;

  @Column({ name: 'last_activity_at', type: 'datetime' })
  lastActivityAt: Date;

  @Column({ type: 'varchar', length: 30, nullable: true })
  sector: string | null;

  @Column({ type: 'varchar', length: 30, nullable: true })
  province: string | null;

  @Column({ type: 'varchar', length: 30, nullable: true })
  gender: string | null;

  @Column({ type: 'varchar', length: 80, nullable: true })
  city: string | null;

  @Column({ name: 'quiz_state', type: 'simple-json' })
  quizState: QuizState;
}
