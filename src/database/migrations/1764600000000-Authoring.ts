import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { portableColumns } from './portable';

/** Browser authoring: who may edit a course, the editable drafts, and the audit trail. */
export class Authoring1764600000000 implements MigrationInterface {
  name = 'Authoring1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    const cascade = { onDelete: 'CASCADE', onUpdate: 'NO ACTION' };
    // LONGTEXT on MariaDB, TEXT on SQLite: a whole course does not fit MariaDB's 64 KB TEXT.
    const json = (name: string) => ({
      name,
      type: queryRunner.connection.driver.normalizeType({ type: 'json' }),
    });

    await queryRunner.createTable(
      new Table({
        name: 'course_authors',
        columns: [
          c.id(),
          c.int('course_id'),
          c.int('user_id'),
          c.simpleEnum('role', ['owner', 'coauthor']),
          c.datetime('created_at'),
        ],
        indices: [
          { name: 'uq_course_authors_course_user', columnNames: ['course_id', 'user_id'], isUnique: true },
          { name: 'idx_course_authors_user', columnNames: ['user_id'] },
        ],
        foreignKeys: [
          {
            name: 'fk_course_authors_course',
            columnNames: ['course_id'],
            referencedTableName: 'courses',
            referencedColumnNames: ['id'],
            ...cascade,
          },
          {
            name: 'fk_course_authors_user',
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            ...cascade,
          },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'course_drafts',
        columns: [
          c.id(),
          c.int('course_id'),
          c.int('version'),
          c.int('published_version', { isNullable: true }),
          json('content'),
          c.int('updated_by', { isNullable: true }),
          c.datetime('updated_at'),
        ],
        indices: [{ name: 'uq_course_drafts_course', columnNames: ['course_id'], isUnique: true }],
        foreignKeys: [
          {
            name: 'fk_course_drafts_course',
            columnNames: ['course_id'],
            referencedTableName: 'courses',
            referencedColumnNames: ['id'],
            ...cascade,
          },
          {
            name: 'fk_course_drafts_updated_by',
            columnNames: ['updated_by'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
            onUpdate: 'NO ACTION',
          },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'audit_log',
        columns: [
          c.id(),
          c.int('user_id', { isNullable: true }),
          c.varchar('actor', 191, { isNullable: true }),
          c.varchar('action', 60),
          c.int('course_id', { isNullable: true }),
          c.varchar('target', 255),
          c.text('detail', { isNullable: true }),
          c.datetime('created_at'),
        ],
        indices: [
          { name: 'idx_audit_log_created', columnNames: ['created_at'] },
          { name: 'idx_audit_log_course', columnNames: ['course_id', 'created_at'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('audit_log');
    await queryRunner.dropTable('course_drafts');
    await queryRunner.dropTable('course_authors');
  }
}
