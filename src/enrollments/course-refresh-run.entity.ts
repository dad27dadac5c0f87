import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Course } from '../courses/course.entity';

export const REFRESH_RUN_STATUSES = ['waiting', 'running', 'done', 'failed', 'superseded'] as const;
/** waiting: written, not started · superseded: a newer publish of the course started its own run. */
export type RefreshRunStatus = (typeof REFRESH_RUN_STATUSES)[number];

/**
 * One re-application of the completion rule to a course's open enrolments after a new version
 * went live, done in chunks by the worker. The cursor is the last enrolment id whose chunk
 * committed, so a restarted run goes on from there and never counts an enrolment twice.
 */
@Entity('course_refresh_runs')
@Index('idx_course_refresh_runs_course', ['courseId', 'id'])
@Index('idx_course_refresh_runs_status', ['status'])
export class CourseRefreshRun {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'course_id', type: 'int' })
  courseId: number;

  @ManyToOne(() => Course, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'course_id', foreignKeyConstraintName: 'fk_course_refresh_runs_course' })
  course?: Course;

  @Column({ type: 'simple-enum', enum: REFRESH_RUN_STATUSES, default: 'waiting' })
  status: RefreshRunStatus;

  /** Open enrolments when the version went live. */
  @Column({ type: 'int' })
  total: number;

  @Column({ type: 'int', default: 0 })
  done: number;

  /** Enrolments up to this id were there when the run started; later ones start fresh on the new version. */
  @Column({ name: 'last_enrollment_id', type: 'int' })
  lastEnrollmentId: number;

  /** The last enrolment id of the last committed chunk. */
  @Column({ name: 'cursor_id', type: 'int', default: 0 })
  cursor: number;

  /** When the version went live: the time the rule is applied "as of". */
  @Column({ name: 'started_at', type: 'datetime' })
  startedAt: Date;

  @Column({ name: 'finished_at', type: 'datetime', nullable: true })
  finishedAt: Date | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  error: string | null;
}
