import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { portableColumns } from './portable';

/** Counters for rate limits other than the login's (first: certificate lookups per client address). */
export class RequestThrottle1764900000000 implements MigrationInterface {
  name = 'RequestThrottle1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'request_throttle',
        columns: [c.varchar('throttle_key', 191, { isPrimary: true }), c.int('hits'), c.datetime('window_started_at')],
      }),
    );
    await queryRunner.createIndex('request_throttle', new TableIndex({ name: 'idx_request_throttle_window', columnNames: ['window_started_at'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('request_throttle');
  }
}
