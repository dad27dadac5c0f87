import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Course } from './course.entity';

/** A lesson. Its slug is its stable identity within the course: progress hangs on it across edits. */
@Entity('course_modules')
@Index('uq_course_modules_course_slug', ['courseId', 'slug'], { unique: true })
@Index('idx_course_modules_course_position', ['courseId', 'position'])
export class CourseModule {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'course_id', type: 'int' })
  courseId: number;

  @ManyToOne(() => Course, (course) => course.modules, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'course_id', foreignKeyConstraintName: 'fk_course_modules_course' })
  course?: Course;

  @Column({ type: 'varchar', length: 100 })
  slug: string;

  @Column({ type: 'int' })
  position: number;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ type: 'int' })
  minutes: number;

  @Column({ type: 'boolean', default: true })
  required: boolean;

  /** Removed from the live course: kept so past progress stays explainable, never counted again. */
  @Column({ name: 'removed_at', type: 'datetime', nullable: true })
  removedAt: Date | null;

  @Column({ name: 'body_markdown', type: 'text' })
  bodyMarkdown: string;

  /** Rendered and sanitized once when saved; the lesson page serves it as is. */
  @Column({ name: 'body_html', type: 'text' })
  bodyHtml: string;
}
