import { QueryRunner, TableColumnOptions } from 'typeorm';

/**
 * Column helpers for hand-written migrations that run unchanged on SQLite and MariaDB:
 * every type goes through the driver's own normalisation, so the schema the migration
 * creates is the one the entities describe (the schema canary test checks it).
 */
export function portableColumns(queryRunner: QueryRunner) {
  const normalize = (type: string) =>
    queryRunner.connection.driver.normalizeType({ type: type as never });
  const column = (options: TableColumnOptions): TableColumnOptions => ({ ...options, type: normalize(options.type) });
  return {
    id: (name = 'id'): TableColumnOptions => ({
      name,
      type: normalize('int'),
      isPrimary: true,
      isGenerated: true,
      generationStrategy: 'increment',
    }),
    int: (name: string, extra: Partial<TableColumnOptions> = {}) => column({ name, type: 'int', ...extra }),
    varchar: (name: string, length: number, extra: Partial<TableColumnOptions> = {}) =>
      column({ name, type: 'varchar', length: String(length), ...extra }),
    text: (name: string, extra: Partial<TableColumnOptions> = {}) => column({ name, type: 'text', ...extra }),
    datetime: (name: string, extra: Partial<TableColumnOptions> = {}) => column({ name, type: 'datetime', ...extra }),
    boolean: (name: string, extra: Partial<TableColumnOptions> = {}) => column({ name, type: 'boolean', ...extra }),
    simpleEnum: (name: string, values: readonly string[], extra: Partial<TableColumnOptions> = {}) =>
      column({ name, type: 'simple-enum', enum: [...values], ...extra }),
    simpleJson: (name: string, extra: Partial<TableColumnOptions> = {}) => column({ name, type: 'simple-json', ...extra }),
  };
}
