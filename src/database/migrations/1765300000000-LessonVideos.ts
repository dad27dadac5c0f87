import { MigrationInterface, QueryRunner, Table, TableForeignKeyOptions } from 'typeorm';
import { CAPTION_LANGS } from '../../videos/entities/video-caption.entity';
import { VIDEO_STATUSES } from '../../videos/entities/video.entity';
import { portableColumns } from './portable';

function fk(name: string, column: string, table: string, onDelete: 'CASCADE' | 'SET NULL'): TableForeignKeyOptions {
  return { name, columnNames: [column], referencedTableName: table, referencedColumnNames: ['id'], onDelete, onUpdate: 'NO ACTION' };
}

/** Video lessons: uploaded videos and their renditions, caption tracks, and which lesson shows which video. */
export class LessonVideos1765300000000 implements MigrationInterface {
  name = 'LessonVideos1765300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'videos',
        columns: [
          c.id(),
          c.int('course_id'),
          c.varchar('lesson_slug', 100),
          c.simpleEnum('status', VIDEO_STATUSES, { default: "'uploading'" }),
          c.int('progress', { default: 0 }),
          c.varchar('error', 500, { isNullable: true }),
          c.varchar('original_name', 200),
          c.int('size_bytes'),
          c.int('received_bytes', { default: 0 }),
          c.varchar('source_sha256', 64, { isNullable: true }),
          c.varchar('output_prefix', 16, { isNullable: true }),
          c.int('duration_ms', { isNullable: true }),
          c.int('width', { isNullable: true }),
          c.int('height', { isNullable: true }),
          c.simpleJson('renditions', { isNullable: true }),
          c.simpleJson('downloads', { isNullable: true }),
          c.int('attempts', { default: 0 }),
          c.int('uploaded_by', { isNullable: true }),
          c.datetime('created_at'),
          c.datetime('updated_at'),
        ],
        indices: [
          { name: 'idx_videos_course_lesson', columnNames: ['course_id', 'lesson_slug'] },
          { name: 'idx_videos_status', columnNames: ['status'] },
        ],
        foreignKeys: [fk('fk_videos_course', 'course_id', 'courses', 'CASCADE'), fk('fk_videos_uploaded_by', 'uploaded_by', 'users', 'SET NULL')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'video_captions',
        columns: [c.id(), c.int('video_id'), c.simpleEnum('lang', CAPTION_LANGS), c.varchar('file_name', 80), c.int('cue_count'), c.datetime('created_at')],
        indices: [{ name: 'uq_video_captions_video_lang', columnNames: ['video_id', 'lang'], isUnique: true }],
        foreignKeys: [fk('fk_video_captions_video', 'video_id', 'videos', 'CASCADE')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'lesson_videos',
        columns: [
          c.id(),
          c.int('course_id'),
          c.varchar('lesson_slug', 100),
          c.int('video_id', { isNullable: true }),
          c.int('required_watch_percent', { default: 0 }),
          c.int('published_video_id', { isNullable: true }),
          c.int('published_required_watch_percent', { default: 0 }),
          c.datetime('updated_at'),
        ],
        indices: [{ name: 'uq_lesson_videos_course_lesson', columnNames: ['course_id', 'lesson_slug'], isUnique: true }],
        foreignKeys: [
          fk('fk_lesson_videos_course', 'course_id', 'courses', 'CASCADE'),
          fk('fk_lesson_videos_video', 'video_id', 'videos', 'SET NULL'),
          fk('fk_lesson_videos_published_video', 'published_video_id', 'videos', 'SET NULL'),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('lesson_videos');
    await queryRunner.dropTable('video_captions');
    await queryRunner.dropTable('videos');
  }
}
