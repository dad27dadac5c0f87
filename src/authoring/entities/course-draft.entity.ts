import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Course } from '../../courses/course.entity';
import { User } from '../../users/user.entity';
import type { DraftContent } from '../draft-content';

/**
 * The editable copy of a course: everything a trainer changes lands here first and reaches
 * learners only when it is published. `version` grows with every saved change; a write only
 * succeeds against the version it read (compare-and-set), so two saves never interleave.
 */
@Entity('course_drafts')
@Index('uq_course_drafts_course', ['courseId'], { unique: true })
export class CourseDraft {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'course_id', type: 'int' })
  courseId: number;

  @ManyToOne(() => Course, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'course_id', foreignKeyConstraintName: 'fk_course_drafts_course' })
  course?: Course;

  @Column({ type: 'int' })
  version: number;

  /** The version last published; null while the draft has never been published. */
  @Column({ name: 'published_version', type: 'int', nullable: true })
  publishedVersion: number | null;

  /**
   * The whole course as JSON. `json`, not `simple-json`: on MariaDB simple-json is a TEXT
   * (64 KB), too small for a course of long lessons; json is a LONGTEXT there.
   */
  @Column({ type: 'json' })
  content: DraftContent;

  @Column({ name: 'updated_by', type: 'int', nullable: true })
  updatedBy: number | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'updated_by', foreignKeyConstraintName: 'fk_course_drafts_updated_by' })
  updatedByUser?: User;

  @Column({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;
}
