import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { CourseModule } from '../../courses/course-module.entity';
import { Enrollment } from '../../enrollments/enrollment.entity';
import type { WatchRange } from './watch-ranges';

/**
 * How much of a lesson's video one enrolment has watched: the merged ranges, and when the
 * last report came (the allowance of the next one depends on it). One row per enrolment and lesson.
 */
@Entity('video_watches')
@Index('uq_video_watches_enrollment_module', ['enrollmentId', 'moduleId'], { unique: true })
@Index('idx_video_watches_module', ['moduleId'])
export class VideoWatch {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'enrollment_id', type: 'int' })
  enrollmentId: number;

  @ManyToOne(() => Enrollment, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'enrollment_id', foreignKeyConstraintName: 'fk_video_watches_enrollment' })
  enrollment?: Enrollment;

  @Column({ name: 'module_id', type: 'int' })
  moduleId: number;

  @ManyToOne(() => CourseModule, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'module_id', foreignKeyConstraintName: 'fk_video_watches_module' })
  module?: CourseModule;

  /** The video the ranges belong to: a replaced video starts from nothing. */
  @Column({ name: 'video_id', type: 'int' })
  videoId: number;

  @Column({ type: 'simple-json' })
  ranges: WatchRange[];

  @Column({ name: 'watched_seconds', type: 'int', default: 0 })
  watchedSeconds: number;

  @Column({ name: 'watched_percent', type: 'int', default: 0 })
  watchedPercent: number;

  @Column({ name: 'last_report_at', type: 'datetime' })
  lastReportAt: Date;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}
