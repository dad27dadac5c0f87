import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { portableColumns } from './portable';

/** Watched ranges of a lesson's video per enrolment (src/videos/watch). */
export class VideoWatches1765310000000 implements MigrationInterface {
  name = 'VideoWatches1765310000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'video_watches',
        columns: [
          c.id(),
          c.int('enrollment_id'),
          c.int('module_id'),
          c.int('video_id'),
          c.simpleJson('ranges'),
          c.int('watched_seconds', { default: 0 }),
          c.int('watched_percent', { default: 0 }),
          c.datetime('last_report_at'),
          c.datetime('created_at'),
        ],
        indices: [
          { name: 'uq_video_watches_enrollment_module', columnNames: ['enrollment_id', 'module_id'], isUnique: true },
          { name: 'idx_video_watches_module', columnNames: ['module_id'] },
        ],
        foreignKeys: [
          {
            name: 'fk_video_watches_enrollment',
            columnNames: ['enrollment_id'],
            referencedTableName: 'enrollments',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          },
          {
            name: 'fk_video_watches_module',
            columnNames: ['module_id'],
            referencedTableName: 'course_modules',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('video_watches');
  }
}
