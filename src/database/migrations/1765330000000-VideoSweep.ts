import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { portableColumns } from './portable';

/** When a video stopped being used by any lesson, and when its files were deleted for it. */
export class VideoSweep1765330000000 implements MigrationInterface {
  name = 'VideoSweep1765330000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    await queryRunner.addColumn('videos', new TableColumn(c.datetime('released_at', { isNullable: true })));
    await queryRunner.addColumn('videos', new TableColumn(c.datetime('files_deleted_at', { isNullable: true })));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('videos', 'files_deleted_at');
    await queryRunner.dropColumn('videos', 'released_at');
  }
}
