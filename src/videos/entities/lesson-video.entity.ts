import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Course } from '../../courses/course.entity';
import { Video } from './video.entity';

/**
 * A lesson's video and watch setting, as drafted and as published. Lessons are found by slug
 * (their identity in drafts and live), so a draft lesson not yet published can have a video.
 * Publishing the course copies the draft columns to the published ones.
 */
@Entity('lesson_videos')
@Index('uq_lesson_videos_course_lesson', ['courseId', 'lessonSlug'], { unique: true })
export class LessonVideo {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'course_id', type: 'int' })
  courseId: number;

  @ManyToOne(() => Course, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'course_id', foreignKeyConstraintName: 'fk_lesson_videos_course' })
  course?: Course;

  @Column({ name: 'lesson_slug', type: 'varchar', length: 100 })
  lessonSlug: string;

  @Column({ name: 'video_id', type: 'int', nullable: true })
  videoId: number | null;

  @ManyToOne(() => Video, { onDelete: 'SET NULL', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'video_id', foreignKeyConstraintName: 'fk_lesson_videos_video' })
  video?: Video;

  /** Share of the video (0–100) a learner must watch before the lesson completes; 0: not required. */
  @Column({ name: 'required_watch_percent', type: 'int', default: 0 })
  requiredWatchPercent: number;

  @Column({ name: 'published_video_id', type: 'int', nullable: true })
  publishedVideoId: number | null;

  @ManyToOne(() => Video, { onDelete: 'SET NULL', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'published_video_id', foreignKeyConstraintName: 'fk_lesson_videos_published_video' })
  publishedVideo?: Video;

  @Column({ name: 'published_required_watch_percent', type: 'int', default: 0 })
  publishedRequiredWatchPercent: number;

  @Column({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;
}
