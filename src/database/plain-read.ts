import { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * Reads rows of one entity with plain SQL and turns them into entities the way TypeORM's own
 * loader does (the driver converts every column: dates, booleans, JSON), without building a
 * query through the query builder. That builder costs more CPU than the query itself on the
 * few reads every signed-in page makes (session, enrolment, progress, quiz standings, the
 * dashboard's certificates); everything else keeps
 * using repositories. `where` names database columns and uses `?` placeholders, which both
 * drivers accept.
 */
export async function readRows<T extends ObjectLiteral>(
  dataSource: DataSource,
  entity: EntityTarget<T>,
  where: string,
  parameters: (string | number)[],
  orderBy?: string,
): Promise<T[]> {
  const table = dataSource.driver.escape(dataSource.getMetadata(entity).tableName);
  const rows: Record<string, unknown>[] = await dataSource.query(`SELECT * FROM ${table} WHERE ${where}${orderBy ? ` ORDER BY ${orderBy}` : ''}`, parameters);
  return rows.map((row) => hydrate(dataSource, entity, row));
}

/** One raw row (columns named as in the table) as an entity, converted by the driver. */
export function hydrate<T extends ObjectLiteral>(dataSource: DataSource, entity: EntityTarget<T>, row: Record<string, unknown>): T {
  const metadata = dataSource.getMetadata(entity);
  const result = metadata.create() as T;
  for (const column of metadata.columns) {
    if (column.databaseName in row) column.setEntityValue(result, dataSource.driver.prepareHydratedValue(row[column.databaseName], column));
  }
  return result;
}
