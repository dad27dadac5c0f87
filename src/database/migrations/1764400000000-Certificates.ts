import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { portableColumns } from './portable';

const CERTIFICATE_STATUSES = ['pending', 'issued', 'failed', 'revoked'];

export class Certificates1764400000000 implements MigrationInterface {
  name = 'Certificates1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);

    await queryRunner.createTable(
      new Table({
        name: 'certificates',
        columns: [
          c.id(),
          c.varchar('serial', 32),
          c.int('enrollment_id', { isNullable: true }),
          c.int('user_id'),
          c.int('course_id'),
          c.simpleEnum('status', CERTIFICATE_STATUSES, { default: "'pending'" }),
          c.varchar('holder_name', 120),
          c.varchar('course_title', 200),
          c.int('study_minutes'),
          c.datetime('completed_at'),
          c.datetime('issued_at', { isNullable: true }),
          c.varchar('pdf_path', 255, { isNullable: true }),
          c.text('credential', { isNullable: true }),
          c.text('last_error', { isNullable: true }),
          c.int('attempts', { default: 0 }),
          c.datetime('revoked_at', { isNullable: true }),
          c.varchar('revoked_reason', 500, { isNullable: true }),
          c.int('replaced_by', { isNullable: true }),
          c.datetime('notified_at', { isNullable: true }),
          c.datetime('created_at'),
          c.datetime('updated_at'),
        ],
        indices: [
          { name: 'uq_certificates_serial', columnNames: ['serial'], isUnique: true },
          { name: 'uq_certificates_enrollment', columnNames: ['enrollment_id'], isUnique: true },
          { name: 'idx_certificates_user', columnNames: ['user_id'] },
          { name: 'idx_certificates_course_status', columnNames: ['course_id', 'status'] },
          { name: 'idx_certificates_status_completed', columnNames: ['status', 'completed_at'] },
        ],
        foreignKeys: [
          {
            name: 'fk_certificates_enrollment',
            columnNames: ['enrollment_id'],
            referencedTableName: 'enrollments',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
            onUpdate: 'NO ACTION',
          },
          {
            name: 'fk_certificates_user',
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          },
          {
            name: 'fk_certificates_course',
            columnNames: ['course_id'],
            referencedTableName: 'courses',
            referencedColumnNames: ['id'],
            onDelete: 'RESTRICT',
            onUpdate: 'NO ACTION',
          },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'certificate_outbox',
        columns: [c.id(), c.int('certificate_id'), c.varchar('job_id', 100), c.datetime('created_at'), c.datetime('sent_at', { isNullable: true })],
        indices: [
          { name: 'idx_certificate_outbox_certificate', columnNames: ['certificate_id'] },
          { name: 'idx_certificate_outbox_unsent', columnNames: ['sent_at', 'id'] },
        ],
        foreignKeys: [
          {
            name: 'fk_certificate_outbox_certificate',
            columnNames: ['certificate_id'],
            referencedTableName: 'certificates',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('certificate_outbox');
    await queryRunner.dropTable('certificates');
  }
}
