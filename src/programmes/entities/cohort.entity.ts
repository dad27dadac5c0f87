import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Course } from '../../courses/course.entity';
import { User } from '../../users/user.entity';
import { Programme } from './programme.entity';

/** A batch of learners in a programme, taking a set of courses between two dates. */
@Entity('cohorts')
@Index('idx_cohorts_programme', ['programmeId'])
@Index('uq_cohorts_enrol_code', ['enrolCode'], { unique: true })
export class Cohort {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'programme_id', type: 'int' })
  programmeId: number;

  @ManyToOne(() => Programme, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'programme_id', foreignKeyConstraintName: 'fk_cohorts_programme' })
  programme?: Programme;

  @Column({ type: 'varchar', length: 160 })
  name: string;

  /** Calendar dates (YYYY-MM-DD, Pakistan time): a date, not an instant, so no time zone can shift it. */
  @Column({ name: 'starts_on', type: 'varchar', length: 10 })
  startsOn: string;

  @Column({ name: 'ends_on', type: 'varchar', length: 10, nullable: true })
  endsOn: string | null;

  /** The code in the enrolment link (/join/<code>); null when joining by link is switched off. */
  @Column({ name: 'enrol_code', type: 'varchar', length: 16, nullable: true })
  enrolCode: string | null;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;
}

@Entity('cohort_courses')
@Index('uq_cohort_courses_cohort_course', ['cohortId', 'courseId'], { unique: true })
@Index('idx_cohort_courses_course', ['courseId'])
export class CohortCourse {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'cohort_id', type: 'int' })
  cohortId: number;

  @ManyToOne(() => Cohort, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'cohort_id', foreignKeyConstraintName: 'fk_cohort_courses_cohort' })
  cohort?: Cohort;

  @Column({ name: 'course_id', type: 'int' })
  courseId: number;

  @ManyToOne(() => Course, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'course_id', foreignKeyConstraintName: 'fk_cohort_courses_course' })
  course?: Course;

  @Column({ type: 'int' })
  position: number;
}

/** A manager of one cohort only (e.g. a partner's trainer-coordinator): sees that cohort, nothing else. */
@Entity('cohort_managers')
@Index('uq_cohort_managers_cohort_user', ['cohortId', 'userId'], { unique: true })
@Index('idx_cohort_managers_user', ['userId'])
export class CohortManager {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'cohort_id', type: 'int' })
  cohortId: number;

  @ManyToOne(() => Cohort, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'cohort_id', foreignKeyConstraintName: 'fk_cohort_managers_cohort' })
  cohort?: Cohort;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_cohort_managers_user' })
  user?: User;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}

export const JOIN_ROUTES = ['manager', 'code', 'csv'] as const;
export type JoinRoute = (typeof JOIN_ROUTES)[number];

/**
 * A learner in a cohort. A learner belongs to at most one cohort of a programme, so programme
 * figures never count anyone twice. Last activity and open courses are kept up to date with
 * the learner's enrolments, for the at-risk list.
 */
@Entity('cohort_members')
@Index('uq_cohort_members_programme_user', ['programmeId', 'userId'], { unique: true })
@Index('uq_cohort_members_cohort_user', ['cohortId', 'userId'], { unique: true })
@Index('idx_cohort_members_user', ['userId'])
@Index('idx_cohort_members_risk', ['programmeId', 'lastActivityAt', 'openCourses'])
export class CohortMember {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'programme_id', type: 'int' })
  programmeId: number;

  @ManyToOne(() => Programme, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'programme_id', foreignKeyConstraintName: 'fk_cohort_members_programme' })
  programme?: Programme;

  @Column({ name: 'cohort_id', type: 'int' })
  cohortId: number;

  @ManyToOne(() => Cohort, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'cohort_id', foreignKeyConstraintName: 'fk_cohort_members_cohort' })
  cohort?: Cohort;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_cohort_members_user' })
  user?: User;

  @Column({ name: 'joined_at', type: 'datetime' })
  joinedAt: Date;

  @Column({ name: 'joined_via', type: 'varchar', length: 10 })
  joinedVia: JoinRoute;

  @Column({ name: 'last_activity_at', type: 'datetime' })
  lastActivityAt: Date;

  /** The cohort's courses this learner has not completed yet. */
  @Column({ name: 'open_courses', type: 'int', default: 0 })
  openCourses: number;
}
