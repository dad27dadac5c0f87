import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Course } from '../courses/course.entity';
import { User } from '../users/user.entity';

export const ENROLLMENT_STATUSES = ['active', 'completed'] as const;
export type EnrollmentStatus = (typeof ENROLLMENT_STATUSES)[number];

@Entity('enrollments')
@Index('uq_enrollments_user_course', ['userId', 'courseId'], { unique: true })
@Index('idx_enrollments_course_status', ['courseId', 'status'])
export class Enrollment {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_enrollments_user' })
  user?: User;

  @Column({ name: 'course_id', type: 'int' })
  courseId: number;

  @ManyToOne(() => Course, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'course_id', foreignKeyConstraintName: 'fk_enrollments_course' })
  course?: Course;

  @Column({ type: 'simple-enum', enum: ENROLLMENT_STATUSES, default: 'active' })
  status: EnrollmentStatus;

  @Column({ name: 'progress_percent', type: 'int', default: 0 })
  progressPercent: number;

  /** The lesson the learner last opened: the "continue where you left off" link. */
  @Column({ name: 'last_module_id', type: 'int', nullable: true })
  lastModuleId: number | null;

  @Column({ name: 'last_activity_at', type: 'datetime' })
  lastActivityAt: Date;

  @Column({ name: 'completed_at', type: 'datetime', nullable: true })
  completedAt: Date | null;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}
