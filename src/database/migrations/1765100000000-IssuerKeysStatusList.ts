import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';
import { portableColumns } from './portable';

/**
 * Issuer keys with ids and rotation (the single key file or ISSUER_KEY becomes the first row when
 * the application starts), the Data Integrity form of each credential, and each certificate's
 * position in a Bitstring Status List.
 */
export class IssuerKeysStatusList1765100000000 implements MigrationInterface {
  name = 'IssuerKeysStatusList1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'issuer_keys',
        columns: [
          c.id(),
          c.varchar('kid', 64),
          c.text('public_jwk'),
          c.text('private_jwk', { isNullable: true }),
          c.datetime('created_at'),
          c.datetime('retired_at', { isNullable: true }),
        ],
        indices: [new TableIndex({ name: 'uq_issuer_keys_kid', columnNames: ['kid'], isUnique: true })],
      }),
    );
    await queryRunner.addColumns('certificates', [
      new TableColumn(c.text('credential_ld', { isNullable: true })),
      new TableColumn(c.int('status_list', { isNullable: true })),
      new TableColumn(c.int('status_index', { isNullable: true })),
    ]);
    await queryRunner.createIndex('certificates', new TableIndex({ name: 'uq_certificates_status_position', columnNames: ['status_list', 'status_index'], isUnique: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('certificates', 'uq_certificates_status_position');
    await queryRunner.dropColumns('certificates', ['credential_ld', 'status_list', 'status_index']);
    await queryRunner.dropTable('issuer_keys');
  }
}
