import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { portableColumns } from './portable';

/** A learner's data saver setting: videos start as audio only or at the lowest quality. */
export class DataSaver1765320000000 implements MigrationInterface {
  name = 'DataSaver1765320000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    await queryRunner.addColumn('users', new TableColumn(c.boolean('data_saver', { default: 0 })));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('users', 'data_saver');
  }
}
