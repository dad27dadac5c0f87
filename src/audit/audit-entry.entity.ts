import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One authoring action: who did what to which course, when. Rows are never updated; they keep
 * no foreign keys, so the trail outlives the accounts and courses it mentions.
 */
@Entity('audit_log')
@Index('idx_audit_log_created', ['createdAt'])
@Index('idx_audit_log_course', ['courseId', 'createdAt'])
export class AuditEntry {
  @PrimaryGeneratedColumn()
  id: number;

  /** Null for actions nobody signed in did (content/ imported from the command line or at start-up). */
  @Column({ name: 'user_id', type: 'int', nullable: true })
  userId: number | null;

  /** The actor's email when it happened (accounts can change or go). */
  @Column({ type: 'varchar', length: 191, nullable: true })
  actor: string | null;

  @Column({ type: 'varchar', length: 60 })
  action: string;

  @Column({ name: 'course_id', type: 'int', nullable: true })
  courseId: number | null;

  /** What was acted on, readable: a course slug, `course/lesson`, `course/quiz`. */
  @Column({ type: 'varchar', length: 255 })
  target: string;

  /** A short description of the change (a lesson title, a co-author's email, a count). */
  @Column({ type: 'text', nullable: true })
  detail: string | null;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}
