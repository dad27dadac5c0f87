import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { portableColumns } from './portable';

/** A course's cover picture: the name of a stored image (`<hash>-640x360.webp`), or none. */
export class CourseCover1764800000000 implements MigrationInterface {
  name = 'CourseCover1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    await queryRunner.addColumn('courses', new TableColumn(c.varchar('cover_image', 80, { isNullable: true })));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('courses', 'cover_image');
  }
}
