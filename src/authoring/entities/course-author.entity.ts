import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Course } from '../../courses/course.entity';
import { User } from '../../users/user.entity';

export const COURSE_AUTHOR_ROLES = ['owner', 'coauthor'] as const;
export type CourseAuthorRole = (typeof COURSE_AUTHOR_ROLES)[number];

/** Who may edit a course in the browser: its owner and the co-authors the owner added. */
@Entity('course_authors')
@Index('uq_course_authors_course_user', ['courseId', 'userId'], { unique: true })
@Index('idx_course_authors_user', ['userId'])
export class CourseAuthor {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'course_id', type: 'int' })
  courseId: number;

  @ManyToOne(() => Course, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'course_id', foreignKeyConstraintName: 'fk_course_authors_course' })
  course?: Course;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_course_authors_user' })
  user?: User;

  @Column({ type: 'simple-enum', enum: COURSE_AUTHOR_ROLES })
  role: CourseAuthorRole;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}
