import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { portableColumns } from './portable';

export class Quizzes1764350000000 implements MigrationInterface {
  name = 'Quizzes1764350000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    const cascade = { onDelete: 'CASCADE', onUpdate: 'NO ACTION' };

    await queryRunner.createTable(
      new Table({
        name: 'quizzes',
        columns: [
          c.id(),
          c.int('course_id'),
          c.int('module_id', { isNullable: true }),
          c.varchar('slug', 100),
          c.varchar('title', 200),
          c.boolean('is_final', { default: 0 }),
          c.boolean('required', { default: 0 }),
          c.int('pass_mark'),
          c.int('max_attempts', { default: 0 }),
          c.int('time_limit_seconds', { default: 0 }),
          c.int('draw_count', { default: 0 }),
          c.boolean('shuffle_questions', { default: 1 }),
          c.boolean('shuffle_options', { default: 1 }),
          c.simpleEnum('grading', ['highest', 'latest'], { default: "'highest'" }),
          c.simpleEnum('review', ['score', 'wrong', 'full'], { default: "'full'" }),
          c.datetime('removed_at', { isNullable: true }),
          c.datetime('created_at'),
          c.datetime('updated_at'),
        ],
        indices: [{ name: 'uq_quizzes_course_slug', columnNames: ['course_id', 'slug'], isUnique: true }],
        foreignKeys: [
          { name: 'fk_quizzes_course', columnNames: ['course_id'], referencedTableName: 'courses', referencedColumnNames: ['id'], ...cascade },
          {
            name: 'fk_quizzes_module',
            columnNames: ['module_id'],
            referencedTableName: 'course_modules',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
            onUpdate: 'NO ACTION',
          },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'quiz_questions',
        columns: [
          c.id(),
          c.int('quiz_id'),
          c.varchar('name', 191),
          c.int('position'),
          c.varchar('type', 20),
          c.simpleJson('definition'),
          c.datetime('removed_at', { isNullable: true }),
        ],
        indices: [{ name: 'uq_quiz_questions_quiz_name', columnNames: ['quiz_id', 'name'], isUnique: true }],
        foreignKeys: [
          { name: 'fk_quiz_questions_quiz', columnNames: ['quiz_id'], referencedTableName: 'quizzes', referencedColumnNames: ['id'], ...cascade },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'quiz_attempts',
        columns: [
          c.id(),
          c.int('quiz_id'),
          c.int('user_id'),
          c.int('number'),
          c.simpleEnum('status', ['in_progress', 'awaiting_grading', 'graded'], { default: "'in_progress'" }),
          c.simpleJson('drawn'),
          c.datetime('started_at'),
          c.datetime('deadline_at', { isNullable: true }),
          c.datetime('closed_at', { isNullable: true }),
          c.varchar('closed_by', 20, { isNullable: true }),
          c.int('score_permille', { isNullable: true }),
          c.boolean('passed', { isNullable: true }),
        ],
        indices: [
          { name: 'uq_quiz_attempts_quiz_user_number', columnNames: ['quiz_id', 'user_id', 'number'], isUnique: true },
          { name: 'idx_quiz_attempts_quiz_status', columnNames: ['quiz_id', 'status'] },
          { name: 'idx_quiz_attempts_status_deadline', columnNames: ['status', 'deadline_at'] },
          { name: 'idx_quiz_attempts_user_quiz', columnNames: ['user_id', 'quiz_id'] },
        ],
        foreignKeys: [
          { name: 'fk_quiz_attempts_quiz', columnNames: ['quiz_id'], referencedTableName: 'quizzes', referencedColumnNames: ['id'], ...cascade },
          { name: 'fk_quiz_attempts_user', columnNames: ['user_id'], referencedTableName: 'users', referencedColumnNames: ['id'], ...cascade },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'attempt_answers',
        columns: [
          c.id(),
          c.int('attempt_id'),
          c.int('question_id'),
          c.simpleJson('response', { isNullable: true }),
          c.int('score_permille', { isNullable: true }),
          c.varchar('status', 20),
          c.datetime('saved_at'),
          c.int('graded_by', { isNullable: true }),
          c.datetime('graded_at', { isNullable: true }),
          c.text('grader_comment', { isNullable: true }),
        ],
        indices: [
          { name: 'uq_attempt_answers_attempt_question', columnNames: ['attempt_id', 'question_id'], isUnique: true },
          { name: 'idx_attempt_answers_question', columnNames: ['question_id'] },
          { name: 'idx_attempt_answers_status', columnNames: ['status'] },
        ],
        foreignKeys: [
          {
            name: 'fk_attempt_answers_attempt',
            columnNames: ['attempt_id'],
            referencedTableName: 'quiz_attempts',
            referencedColumnNames: ['id'],
            ...cascade,
          },
          {
            name: 'fk_attempt_answers_question',
            columnNames: ['question_id'],
            referencedTableName: 'quiz_questions',
            referencedColumnNames: ['id'],
            ...cascade,
          },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['attempt_answers', 'quiz_attempts', 'quiz_questions', 'quizzes']) await queryRunner.dropTable(table);
  }
}
