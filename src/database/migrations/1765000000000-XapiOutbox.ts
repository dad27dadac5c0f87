import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { XAPI_STATES } from '../../xapi/xapi-outbox.entity';
import { portableColumns } from './portable';

/** xAPI statements waiting for (or refused by) the learning record store. */
export class XapiOutbox1765000000000 implements MigrationInterface {
  name = 'XapiOutbox1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'xapi_outbox',
        columns: [
          c.id(),
          c.varchar('statement_id', 36),
          c.varchar('verb', 20),
          c.text('statement'),
          c.simpleEnum('state', XAPI_STATES, { default: "'pending'" }),
          c.int('attempts', { default: 0 }),
          c.datetime('next_attempt_at'),
          c.datetime('queued_at', { isNullable: true }),
          c.datetime('delivered_at', { isNullable: true }),
          c.varchar('last_error', 500, { isNullable: true }),
          c.datetime('created_at'),
        ],
        indices: [
          { name: 'uq_xapi_outbox_statement', columnNames: ['statement_id'], isUnique: true },
          { name: 'idx_xapi_outbox_state_due', columnNames: ['state', 'next_attempt_at'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('xapi_outbox');
  }
}
