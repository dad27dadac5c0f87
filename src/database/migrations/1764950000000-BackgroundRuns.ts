import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';
import { REFRESH_RUN_STATUSES } from '../../enrollments/course-refresh-run.entity';
import { portableColumns } from './portable';

/**
 * Work moved to the worker in chunks: a row per progress refresh after a publish or import,
 * and the state of a CSV file's background apply on its import row.
 */
export class BackgroundRuns1764950000000 implements MigrationInterface {
  name = 'BackgroundRuns1764950000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'course_refresh_runs',
        columns: [
          c.id(),
          c.int('course_id'),
          c.simpleEnum('status', REFRESH_RUN_STATUSES, { default: "'waiting'" }),
          c.int('total'),
          c.int('done', { default: 0 }),
          c.int('last_enrollment_id'),
          c.int('cursor_id', { default: 0 }),
          c.datetime('started_at'),
          c.datetime('finished_at', { isNullable: true }),
          c.varchar('error', 500, { isNullable: true }),
        ],
        indices: [
          { name: 'idx_course_refresh_runs_course', columnNames: ['course_id', 'id'] },
          { name: 'idx_course_refresh_runs_status', columnNames: ['status'] },
        ],
        foreignKeys: [
          {
            name: 'fk_course_refresh_runs_course',
            columnNames: ['course_id'],
            referencedTableName: 'courses',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          },
        ],
      }),
    );

    await queryRunner.addColumns('enrolment_imports', [
      new TableColumn(c.varchar('status', 10, { default: "'checked'" })),
      new TableColumn(c.varchar('locale', 5, { isNullable: true })),
      new TableColumn(c.int('total_rows', { default: 0 })),
      new TableColumn(c.int('done_rows', { default: 0 })),
      new TableColumn(c.int('cursor_line', { default: 0 })),
      new TableColumn(c.datetime('apply_started_at', { isNullable: true })),
      new TableColumn(c.varchar('error', 500, { isNullable: true })),
    ]);
    await queryRunner.query("UPDATE enrolment_imports SET status = 'applied' WHERE applied_at IS NOT NULL");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of ['error', 'apply_started_at', 'cursor_line', 'done_rows', 'total_rows', 'locale', 'status']) {
      await queryRunner.dropColumn('enrolment_imports', column);
    }
    await queryRunner.dropTable('course_refresh_runs');
  }
}
