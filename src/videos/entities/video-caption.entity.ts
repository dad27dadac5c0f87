import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { CaptionLang } from '../lesson-video-view';
import { Video } from './video.entity';

export const CAPTION_LANGS = ['en', 'ur'] as const satisfies readonly CaptionLang[];

/** A WebVTT caption track of a video, one per language; the checked, sanitized file is in storage. */
@Entity('video_captions')
@Index('uq_video_captions_video_lang', ['videoId', 'lang'], { unique: true })
export class VideoCaption {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'video_id', type: 'int' })
  videoId: number;

  @ManyToOne(() => Video, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'video_id', foreignKeyConstraintName: 'fk_video_captions_video' })
  video?: Video;

  @Column({ type: 'simple-enum', enum: CAPTION_LANGS })
  lang: CaptionLang;

  /** `captions-<lang>-<hash>.vtt`, served beside the video's other files. */
  @Column({ name: 'file_name', type: 'varchar', length: 80 })
  fileName: string;

  @Column({ name: 'cue_count', type: 'int' })
  cueCount: number;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}
