import { DataSource } from 'typeorm';
import { createDataSource } from '../src/database/data-source';
import { runMigrationsUnderLock } from '../src/database/migration-lock';
import { createTestDatabase, TestDatabase } from './support/test-database';

describe('schema canary: the hand-written migrations and the entities describe the same schema', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = createDataSource(db.config);
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('finds nothing to change after migrating an empty database', async () => {
    const applied = await runMigrationsUnderLock(dataSource, db.config.sqlitePath);
    expect(applied.length).toBeGreaterThan(0);
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('can undo every migration and apply them again', async () => {
    let undone = 0;
    while (await dataSource.query(db.kind === 'sqlite' ? "SELECT 1 FROM sqlite_master WHERE name='migrations'" : "SHOW TABLES LIKE 'migrations'").then((rows: unknown[]) => rows.length > 0)) {
      const [{ count }] = await dataSource.query('SELECT COUNT(*) AS count FROM migrations');
      if (Number(count) === 0) break;
      await dataSource.undoLastMigration();
      undone += 1;
    }
    expect(undone).toBe(dataSource.migrations.length);
    await runMigrationsUnderLock(dataSource, db.config.sqlitePath);
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries).toEqual([]);
  });
});
