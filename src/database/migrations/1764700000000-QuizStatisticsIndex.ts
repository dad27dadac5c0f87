import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/** Lets the item-statistics pass read answers' scores from the index alone. */
export class QuizStatisticsIndex1764700000000 implements MigrationInterface {
  name = 'QuizStatisticsIndex1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'attempt_answers',
      new TableIndex({ name: 'idx_attempt_answers_attempt_question_score', columnNames: ['attempt_id', 'question_id', 'score_permille'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('attempt_answers', 'idx_attempt_answers_attempt_question_score');
  }
}
