import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { portableColumns } from './portable';

const ROLES = ['learner', 'trainer', 'manager', 'admin'];
const LEVELS = ['beginner', 'intermediate', 'advanced'];
const COURSE_STATUSES = ['draft', 'published', 'archived'];
const ENROLLMENT_STATUSES = ['active', 'completed'];

export class Foundation1764300000000 implements MigrationInterface {
  name = 'Foundation1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);

    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          c.id(),
          c.varchar('email', 191),
          c.varchar('name', 120),
          c.varchar('certificate_name', 120, { isNullable: true }),
          c.varchar('locale', 5, { default: "'en'" }),
          c.varchar('password_hash', 255),
          c.simpleEnum('role', ROLES, { default: "'learner'" }),
          c.datetime('created_at'),
          c.datetime('updated_at'),
        ],
        indices: [
          { name: 'uq_users_email', columnNames: ['email'], isUnique: true },
          { name: 'idx_users_role', columnNames: ['role'] },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'sessions',
        columns: [c.varchar('id', 128, { isPrimary: true }), c.datetime('expires_at'), c.text('data')],
        indices: [{ name: 'idx_sessions_expires_at', columnNames: ['expires_at'] }],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'login_throttle',
        columns: [
          c.varchar('throttle_key', 191, { isPrimary: true }),
          c.int('failures'),
          c.datetime('window_started_at'),
          c.datetime('locked_until', { isNullable: true }),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'app_settings',
        columns: [c.varchar('setting_key', 100, { isPrimary: true }), c.text('value')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'courses',
        columns: [
          c.id(),
          c.varchar('slug', 100),
          c.varchar('title', 200),
          c.text('summary'),
          c.varchar('language', 5),
          c.simpleEnum('level', LEVELS),
          c.int('estimated_minutes'),
          c.simpleJson('outcomes'),
          c.simpleEnum('status', COURSE_STATUSES, { default: "'draft'" }),
          c.varchar('content_hash', 64, { isNullable: true }),
          c.datetime('created_at'),
          c.datetime('updated_at'),
        ],
        indices: [
          { name: 'uq_courses_slug', columnNames: ['slug'], isUnique: true },
          { name: 'idx_courses_catalog', columnNames: ['status', 'language', 'level'] },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'course_modules',
        columns: [
          c.id(),
          c.int('course_id'),
          c.varchar('slug', 100),
          c.int('position'),
          c.varchar('title', 200),
          c.int('minutes'),
          c.boolean('required', { default: 1 }),
          c.datetime('removed_at', { isNullable: true }),
          c.text('body_markdown'),
          c.text('body_html'),
        ],
        indices: [
          { name: 'uq_course_modules_course_slug', columnNames: ['course_id', 'slug'], isUnique: true },
          { name: 'idx_course_modules_course_position', columnNames: ['course_id', 'position'] },
        ],
        foreignKeys: [
          {
            name: 'fk_course_modules_course',
            columnNames: ['course_id'],
            referencedTableName: 'courses',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'enrollments',
        columns: [
          c.id(),
          c.int('user_id'),
          c.int('course_id'),
          c.simpleEnum('status', ENROLLMENT_STATUSES, { default: "'active'" }),
          c.int('progress_percent', { default: 0 }),
          c.int('last_module_id', { isNullable: true }),
          c.datetime('last_activity_at'),
          c.datetime('completed_at', { isNullable: true }),
          c.datetime('created_at'),
        ],
        indices: [
          { name: 'uq_enrollments_user_course', columnNames: ['user_id', 'course_id'], isUnique: true },
          { name: 'idx_enrollments_course_status', columnNames: ['course_id', 'status'] },
        ],
        foreignKeys: [
          {
            name: 'fk_enrollments_user',
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          },
          {
            name: 'fk_enrollments_course',
            columnNames: ['course_id'],
            referencedTableName: 'courses',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'module_progress',
        columns: [c.id(), c.int('enrollment_id'), c.int('module_id'), c.datetime('completed_at')],
        indices: [
          { name: 'uq_module_progress_enrollment_module', columnNames: ['enrollment_id', 'module_id'], isUnique: true },
          { name: 'idx_module_progress_module', columnNames: ['module_id'] },
        ],
        foreignKeys: [
          {
            name: 'fk_module_progress_enrollment',
            columnNames: ['enrollment_id'],
            referencedTableName: 'enrollments',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          },
          {
            name: 'fk_module_progress_module',
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
    for (const table of ['module_progress', 'enrollments', 'course_modules', 'courses', 'app_settings', 'login_throttle', 'sessions', 'users']) {
      await queryRunner.dropTable(table);
    }
  }
}
