import { MigrationInterface, QueryRunner, Table, TableForeignKeyOptions } from 'typeorm';
import { SCORE_OUTBOX_STATUSES } from '../../lti/entities/lti-score-outbox.entity';
import { portableColumns } from './portable';

function fk(name: string, column: string, table: string): TableForeignKeyOptions {
  return { name, columnNames: [column], referencedTableName: table, referencedColumnNames: ['id'], onDelete: 'CASCADE', onUpdate: 'NO ACTION' };
}

/** LTI 1.3: registered platforms, logins in flight, linked accounts, resource links and the score outbox. */
export class Lti1765200000000 implements MigrationInterface {
  name = 'Lti1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'lti_platforms',
        columns: [
          c.id(),
          c.varchar('name', 120),
          c.varchar('issuer', 191),
          c.varchar('client_id', 191),
          c.simpleJson('deployment_ids'),
          c.varchar('auth_login_url', 500),
          c.varchar('token_url', 500),
          c.varchar('jwks_url', 500),
          c.datetime('created_at'),
        ],
        indices: [{ name: 'uq_lti_platforms_issuer_client', columnNames: ['issuer', 'client_id'], isUnique: true }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'lti_launch_states',
        columns: [
          c.id(),
          c.varchar('state', 64),
          c.varchar('nonce', 64),
          c.int('platform_id'),
          c.datetime('expires_at'),
          c.datetime('used_at', { isNullable: true }),
          c.datetime('created_at'),
        ],
        indices: [
          { name: 'uq_lti_launch_states_state', columnNames: ['state'], isUnique: true },
          { name: 'idx_lti_launch_states_expires', columnNames: ['expires_at'] },
        ],
        foreignKeys: [fk('fk_lti_launch_states_platform', 'platform_id', 'lti_platforms')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'lti_accounts',
        columns: [c.id(), c.int('platform_id'), c.varchar('sub', 191), c.int('user_id'), c.datetime('created_at')],
        indices: [
          { name: 'uq_lti_accounts_platform_sub', columnNames: ['platform_id', 'sub'], isUnique: true },
          { name: 'idx_lti_accounts_user', columnNames: ['user_id'] },
        ],
        foreignKeys: [fk('fk_lti_accounts_platform', 'platform_id', 'lti_platforms'), fk('fk_lti_accounts_user', 'user_id', 'users')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'lti_resource_links',
        columns: [
          c.id(),
          c.int('platform_id'),
          c.varchar('deployment_id', 191),
          c.varchar('resource_link_id', 191),
          c.int('course_id'),
          c.varchar('lineitem_url', 1000, { isNullable: true }),
          c.simpleJson('scopes', { isNullable: true }),
          c.datetime('created_at'),
          c.datetime('updated_at'),
        ],
        indices: [
          { name: 'uq_lti_resource_links_link', columnNames: ['platform_id', 'deployment_id', 'resource_link_id'], isUnique: true },
          { name: 'idx_lti_resource_links_course', columnNames: ['course_id'] },
        ],
        foreignKeys: [fk('fk_lti_resource_links_platform', 'platform_id', 'lti_platforms'), fk('fk_lti_resource_links_course', 'course_id', 'courses')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'lti_link_learners',
        columns: [c.id(), c.int('resource_link_id'), c.int('account_id'), c.datetime('created_at')],
        indices: [
          { name: 'uq_lti_link_learners', columnNames: ['resource_link_id', 'account_id'], isUnique: true },
          { name: 'idx_lti_link_learners_account', columnNames: ['account_id'] },
        ],
        foreignKeys: [fk('fk_lti_link_learners_link', 'resource_link_id', 'lti_resource_links'), fk('fk_lti_link_learners_account', 'account_id', 'lti_accounts')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'lti_score_outbox',
        columns: [
          c.id(),
          c.int('resource_link_id'),
          c.int('account_id'),
          c.int('score_given'),
          c.int('score_maximum'),
          c.datetime('completed_at'),
          c.simpleEnum('status', SCORE_OUTBOX_STATUSES, { default: "'pending'" }),
          c.int('attempts', { default: 0 }),
          c.varchar('last_error', 500, { isNullable: true }),
          c.datetime('queued_at', { isNullable: true }),
          c.datetime('retry_at', { isNullable: true }),
          c.datetime('delivered_at', { isNullable: true }),
          c.datetime('created_at'),
        ],
        indices: [
          { name: 'idx_lti_score_outbox_status', columnNames: ['status', 'id'] },
          { name: 'idx_lti_score_outbox_link', columnNames: ['resource_link_id'] },
          { name: 'idx_lti_score_outbox_account', columnNames: ['account_id'] },
        ],
        foreignKeys: [fk('fk_lti_score_outbox_link', 'resource_link_id', 'lti_resource_links'), fk('fk_lti_score_outbox_account', 'account_id', 'lti_accounts')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['lti_score_outbox', 'lti_link_learners', 'lti_resource_links', 'lti_accounts', 'lti_launch_states', 'lti_platforms']) {
      await queryRunner.dropTable(table);
    }
  }
}
