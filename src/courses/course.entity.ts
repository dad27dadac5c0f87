import { Column, Entity, Index, OneToMany, PrimaryGeneratedColumn } from 'typeorm';
import type { CourseModule } from './course-module.entity';

export const COURSE_LEVELS = ['beginner', 'intermediate', 'advanced'] as const;
export type CourseLevel = (typeof COURSE_LEVELS)[number];
export const COURSE_STATUSES = ['draft', 'published', 'archived'] as const;
export type CourseStatus = (typeof COURSE_STATUSES)[number];

@Entity('courses')
@Index('uq_courses_slug', ['slug'], { unique: true })
@Index('idx_courses_catalog', ['status', 'language', 'level'])
export class Course {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 100 })
  slug: string;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ type: 'text' })
  summary: string;

  @Column({ type: 'varchar', length: 5 })
  language: string;

  @Column({ type: 'simple-enum', enum: COURSE_LEVELS })
  level: CourseLevel;

  @Column({ name: 'estimated_minutes', type: 'int' })
  estimatedMinutes: number;

  @Column({ type: 'simple-json' })
  outcomes: string[];

  /** A stored image's name (served at /files/lessons/<name>), cropped to the cover size; null for none. */
  @Column({ name: 'cover_image', type: 'varchar', length: 80, nullable: true })
  coverImage: string | null;

  @Column({ type: 'simple-enum', enum: COURSE_STATUSES, default: 'draft' })
  status: CourseStatus;

  /** Hash of the content/ folder last imported, so an unchanged folder is skipped. */
  @Column({ name: 'content_hash', type: 'varchar', length: 64, nullable: true })
  contentHash: string | null;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;

  @OneToMany('CourseModule', (module: CourseModule) => module.course)
  modules?: CourseModule[];
}
