import { MigrationInterface, QueryRunner, Table, TableForeignKeyOptions } from 'typeorm';
import { portableColumns } from './portable';

function fk(name: string, column: string, table: string, onDelete = 'CASCADE'): TableForeignKeyOptions {
  return { name, columnNames: [column], referencedTableName: table, referencedColumnNames: ['id'], onDelete, onUpdate: 'NO ACTION' };
}

/**
 * Programmes and cohorts, the learner profile, export outcomes, bulk enrolment and the
 * programme counters. Every foreign key column leads an index, so MariaDB adds none of its own.
 */
export class Programmes1764500000000 implements MigrationInterface {
  name = 'Programmes1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    const counter = (name: string) => c.int(name, { default: 0 });

    await queryRunner.createTable(
      new Table({
        name: 'learner_profiles',
        columns: [
          c.int('user_id', { isPrimary: true }),
          c.varchar('business_name', 160, { isNullable: true }),
          c.varchar('sector', 30, { isNullable: true }),
          c.varchar('city', 80, { isNullable: true }),
          c.varchar('province', 30, { isNullable: true }),
          c.varchar('gender', 30, { isNullable: true }),
          c.varchar('business_size', 30, { isNullable: true }),
          c.varchar('marketplaces', 200, { isNullable: true }),
          c.varchar('export_stage', 30, { isNullable: true }),
          c.datetime('updated_at'),
        ],
        foreignKeys: [fk('fk_learner_profiles_user', 'user_id', 'users')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'programmes',
        columns: [
          c.id(),
          c.varchar('name', 160),
          c.text('description', { isNullable: true }),
          c.varchar('required_fields', 300, { default: "''" }),
          c.datetime('created_at'),
          c.datetime('updated_at'),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'programme_managers',
        columns: [c.id(), c.int('programme_id'), c.int('user_id'), c.datetime('created_at')],
        indices: [
          { name: 'uq_programme_managers_programme_user', columnNames: ['programme_id', 'user_id'], isUnique: true },
          { name: 'idx_programme_managers_user', columnNames: ['user_id'] },
        ],
        foreignKeys: [fk('fk_programme_managers_programme', 'programme_id', 'programmes'), fk('fk_programme_managers_user', 'user_id', 'users')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'cohorts',
        columns: [
          c.id(),
          c.int('programme_id'),
          c.varchar('name', 160),
          c.varchar('starts_on', 10),
          c.varchar('ends_on', 10, { isNullable: true }),
          c.varchar('enrol_code', 16, { isNullable: true }),
          c.datetime('created_at'),
          c.datetime('updated_at'),
        ],
        indices: [
          { name: 'idx_cohorts_programme', columnNames: ['programme_id'] },
          { name: 'uq_cohorts_enrol_code', columnNames: ['enrol_code'], isUnique: true },
        ],
        foreignKeys: [fk('fk_cohorts_programme', 'programme_id', 'programmes')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'cohort_courses',
        columns: [c.id(), c.int('cohort_id'), c.int('course_id'), c.int('position')],
        indices: [
          { name: 'uq_cohort_courses_cohort_course', columnNames: ['cohort_id', 'course_id'], isUnique: true },
          { name: 'idx_cohort_courses_course', columnNames: ['course_id'] },
        ],
        foreignKeys: [fk('fk_cohort_courses_cohort', 'cohort_id', 'cohorts'), fk('fk_cohort_courses_course', 'course_id', 'courses')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'cohort_managers',
        columns: [c.id(), c.int('cohort_id'), c.int('user_id'), c.datetime('created_at')],
        indices: [
          { name: 'uq_cohort_managers_cohort_user', columnNames: ['cohort_id', 'user_id'], isUnique: true },
          { name: 'idx_cohort_managers_user', columnNames: ['user_id'] },
        ],
        foreignKeys: [fk('fk_cohort_managers_cohort', 'cohort_id', 'cohorts'), fk('fk_cohort_managers_user', 'user_id', 'users')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'cohort_members',
        columns: [
          c.id(),
          c.int('programme_id'),
          c.int('cohort_id'),
          c.int('user_id'),
          c.datetime('joined_at'),
          c.varchar('joined_via', 10),
          c.datetime('last_activity_at'),
          counter('open_courses'),
        ],
        indices: [
          { name: 'uq_cohort_members_programme_user', columnNames: ['programme_id', 'user_id'], isUnique: true },
          { name: 'uq_cohort_members_cohort_user', columnNames: ['cohort_id', 'user_id'], isUnique: true },
          { name: 'idx_cohort_members_user', columnNames: ['user_id'] },
          { name: 'idx_cohort_members_risk', columnNames: ['programme_id', 'last_activity_at', 'open_courses'] },
        ],
        foreignKeys: [
          fk('fk_cohort_members_programme', 'programme_id', 'programmes'),
          fk('fk_cohort_members_cohort', 'cohort_id', 'cohorts'),
          fk('fk_cohort_members_user', 'user_id', 'users'),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'cohort_enrolments',
        columns: [
          c.id(),
          c.int('programme_id'),
          c.int('cohort_id'),
          c.int('course_id'),
          c.int('user_id'),
          c.int('enrollment_id'),
          c.datetime('enrolled_at'),
          c.int('enrolled_week'),
          counter('progress_percent'),
          c.boolean('started', { default: 0 }),
          c.boolean('halfway', { default: 0 }),
          c.datetime('completed_at', { isNullable: true }),
          c.int('completed_week', { isNullable: true }),
          c.int('days_to_complete', { isNullable: true }),
          c.boolean('certified', { default: 0 }),
          c.datetime('last_activity_at'),
          c.varchar('sector', 30, { isNullable: true }),
          c.varchar('province', 30, { isNullable: true }),
          c.varchar('gender', 30, { isNullable: true }),
          c.varchar('city', 80, { isNullable: true }),
          c.simpleJson('quiz_state'),
        ],
        indices: [
          { name: 'uq_cohort_enrolments_cohort_course_user', columnNames: ['cohort_id', 'course_id', 'user_id'], isUnique: true },
          { name: 'idx_cohort_enrolments_enrollment', columnNames: ['enrollment_id'] },
          { name: 'idx_cohort_enrolments_programme_course', columnNames: ['programme_id', 'course_id', 'enrolled_week'] },
          { name: 'idx_cohort_enrolments_user', columnNames: ['user_id'] },
          // A course's at-risk learners: not completed, inactive since a date.
          { name: 'idx_cohort_enrolments_open', columnNames: ['programme_id', 'course_id', 'completed_at', 'last_activity_at'] },
          // Recent completions still waiting to be counted as certified.
          { name: 'idx_cohort_enrolments_uncertified', columnNames: ['certified', 'completed_at'] },
        ],
        foreignKeys: [fk('fk_cohort_enrolments_cohort', 'cohort_id', 'cohorts'), fk('fk_cohort_enrolments_enrollment', 'enrollment_id', 'enrollments')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'programme_stats',
        columns: [
          c.int('programme_id', { isPrimary: true }),
          c.int('cohort_id', { isPrimary: true }),
          c.int('course_id', { isPrimary: true }),
          c.varchar('dimension', 20, { isPrimary: true }),
          c.varchar('value', 100, { isPrimary: true }),
          c.int('week', { isPrimary: true }),
          counter('enrolled'),
          counter('started'),
          counter('halfway'),
          counter('completed'),
          counter('certified'),
          counter('completions'),
        ],
        foreignKeys: [fk('fk_programme_stats_programme', 'programme_id', 'programmes')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'programme_quiz_stats',
        columns: [
          c.int('programme_id', { isPrimary: true }),
          c.int('cohort_id', { isPrimary: true }),
          c.int('course_id', { isPrimary: true }),
          c.int('quiz_id', { isPrimary: true }),
          c.int('week', { isPrimary: true }),
          counter('attempted'),
          counter('passed'),
        ],
        foreignKeys: [fk('fk_programme_quiz_stats_programme', 'programme_id', 'programmes')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'programme_outcome_stats',
        columns: [
          c.int('programme_id', { isPrimary: true }),
          c.int('cohort_id', { isPrimary: true }),
          c.varchar('milestone', 30, { isPrimary: true }),
          c.int('week', { isPrimary: true }),
          counter('recorded'),
          counter('verified'),
        ],
        foreignKeys: [fk('fk_programme_outcome_stats_programme', 'programme_id', 'programmes')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'export_outcomes',
        columns: [
          c.id(),
          c.int('user_id'),
          c.varchar('milestone', 30),
          c.varchar('achieved_on', 10),
          c.varchar('evidence_url', 500, { isNullable: true }),
          c.datetime('verified_at', { isNullable: true }),
          c.int('verified_by', { isNullable: true }),
          c.datetime('created_at'),
          c.datetime('updated_at'),
        ],
        indices: [
          { name: 'uq_export_outcomes_user_milestone', columnNames: ['user_id', 'milestone'], isUnique: true },
          { name: 'idx_export_outcomes_verified', columnNames: ['verified_at', 'created_at'] },
          { name: 'idx_export_outcomes_verified_by', columnNames: ['verified_by'] },
        ],
        foreignKeys: [fk('fk_export_outcomes_user', 'user_id', 'users'), fk('fk_export_outcomes_verifier', 'verified_by', 'users', 'SET NULL')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'account_invitations',
        columns: [
          c.int('user_id', { isPrimary: true }),
          c.varchar('token_hash', 64, { isNullable: true }),
          c.datetime('expires_at', { isNullable: true }),
          c.datetime('created_at'),
          c.datetime('accepted_at', { isNullable: true }),
        ],
        indices: [{ name: 'uq_account_invitations_token', columnNames: ['token_hash'], isUnique: true }],
        foreignKeys: [fk('fk_account_invitations_user', 'user_id', 'users')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'enrolment_imports',
        columns: [
          c.id(),
          c.int('programme_id'),
          c.int('uploaded_by'),
          c.varchar('file_sha256', 64),
          c.datetime('created_at'),
          c.datetime('applied_at', { isNullable: true }),
        ],
        indices: [{ name: 'idx_enrolment_imports_programme', columnNames: ['programme_id', 'created_at'] }],
        foreignKeys: [fk('fk_enrolment_imports_programme', 'programme_id', 'programmes')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'enrolment_import_rows',
        columns: [
          c.id(),
          c.int('import_id'),
          c.int('line_number'),
          c.varchar('email', 191),
          c.simpleJson('data'),
          c.varchar('outcome', 10),
          c.simpleJson('reason', { isNullable: true }),
        ],
        indices: [{ name: 'uq_enrolment_import_rows_import_line', columnNames: ['import_id', 'line_number'], isUnique: true }],
        foreignKeys: [fk('fk_enrolment_import_rows_import', 'import_id', 'enrolment_imports')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'enrolment_import_rows',
      'enrolment_imports',
      'account_invitations',
      'export_outcomes',
      'programme_outcome_stats',
      'programme_quiz_stats',
      'programme_stats',
      'cohort_enrolments',
      'cohort_members',
      'cohort_managers',
      'cohort_courses',
      'cohorts',
      'programme_managers',
      'programmes',
      'learner_profiles',
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}
