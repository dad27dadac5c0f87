import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Course } from '../../courses/course.entity';
import { User } from '../../users/user.entity';
import type { RenditionName, VideoStatus } from '../lesson-video-view';

export const VIDEO_STATUSES = ['uploading', 'queued', 'processing', 'ready', 'failed'] as const satisfies readonly VideoStatus[];

/** One rendition as transcoded: its playlist and what it measured. */
export interface StoredRendition {
  name: RenditionName;
  height?: number;
  /** Nominal peak bits per second (the master playlist's BANDWIDTH). */
  bandwidth: number;
  /** Nominal average bits per second (video + audio targets). */
  averageBandwidth: number;
  /** Bytes of all its segments (and init segment). */
  bytes: number;
}

export interface StoredDownloads {
  mp4Bytes: number;
  audioBytes: number;
}

/**
 * An uploaded video of a lesson and everything made from it. Uploading, transcoding and
 * failing happen on this row; the lesson points at it through LessonVideo. Output files are
 * named `<outputPrefix>-…` (a fresh random prefix per transcode), so a URL never serves two
 * different contents.
 */
@Entity('videos')
@Index('idx_videos_course_lesson', ['courseId', 'lessonSlug'])
@Index('idx_videos_status', ['status'])
export class Video {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'course_id', type: 'int' })
  courseId: number;

  @ManyToOne(() => Course, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'course_id', foreignKeyConstraintName: 'fk_videos_course' })
  course?: Course;

  @Column({ name: 'lesson_slug', type: 'varchar', length: 100 })
  lessonSlug: string;

  @Column({ type: 'simple-enum', enum: VIDEO_STATUSES, default: 'uploading' })
  status: VideoStatus;

  /** Transcoding progress, 0–100. */
  @Column({ type: 'int', default: 0 })
  progress: number;

  /** Why the last transcode failed (English, for the trainer and the admin page). */
  @Column({ type: 'varchar', length: 500, nullable: true })
  error: string | null;

  @Column({ name: 'original_name', type: 'varchar', length: 200 })
  originalName: string;

  @Column({ name: 'size_bytes', type: 'int' })
  sizeBytes: number;

  @Column({ name: 'received_bytes', type: 'int', default: 0 })
  receivedBytes: number;

  /** SHA-256 of the uploaded file (content/ imports skip a file already transcoded). */
  @Column({ name: 'source_sha256', type: 'varchar', length: 64, nullable: true })
  sourceSha256: string | null;

  @Column({ name: 'output_prefix', type: 'varchar', length: 16, nullable: true })
  outputPrefix: string | null;

  @Column({ name: 'duration_ms', type: 'int', nullable: true })
  durationMs: number | null;

  @Column({ type: 'int', nullable: true })
  width: number | null;

  @Column({ type: 'int', nullable: true })
  height: number | null;

  @Column({ type: 'simple-json', nullable: true })
  renditions: StoredRendition[] | null;

  @Column({ type: 'simple-json', nullable: true })
  downloads: StoredDownloads | null;

  /** Transcodes started (the first and every retry): part of the job id, so a retry is a new job. */
  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ name: 'uploaded_by', type: 'int', nullable: true })
  uploadedBy: number | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'uploaded_by', foreignKeyConstraintName: 'fk_videos_uploaded_by' })
  uploader?: User;

  /** First seen by the sweep used by no lesson (draft or published); cleared if one uses it again. */
  @Column({ name: 'released_at', type: 'datetime', nullable: true })
  releasedAt: Date | null;

  /** When the sweep deleted its files, VIDEO_UNUSED_DAYS after its release. The row stays: watch records name it. */
  @Column({ name: 'files_deleted_at', type: 'datetime', nullable: true })
  filesDeletedAt: Date | null;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;
}
