import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { ENTITIES, MIGRATIONS } from './entities';
import { CountingLogger } from './query-counter';

export function dataSourceOptions(database: AppConfig['database']): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    logging: ['error'] as ('error' | 'warn')[],
    logger: new CountingLogger(['error']),
  };
  if (database.kind === 'sqlite') {
    const path = database.sqlitePath as string;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: path,
      // WAL lets readers proceed while one writer commits; the busy timeout covers a second process.
      prepareDatabase: (db: { pragma(sql: string): unknown }) => {
        db.pragma('journal_mode = WAL');
        // With WAL, NORMAL loses no committed data on a crash of the process (only on power loss).
        db.pragma('synchronous = NORMAL');
        db.pragma('busy_timeout = 5000');
        db.pragma('foreign_keys = ON');
      },
    } as DataSourceOptions;
  }
  const url = new URL(database.url.replace(/^mariadb:/, 'mysql:'));
  return {
    ...common,
    // 'mariadb' (not 'mysql') so JSON columns and defaults compare cleanly in the schema canary.
    type: 'mariadb',
    host: url.hostname,
    port: Number(url.port || 3306),
    username: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password),
    database: url.pathname.slice(1),
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    extra: { connectionLimit: 20 },
  };
}

export function createDataSource(database: AppConfig['database']): DataSource {
  return new DataSource(dataSourceOptions(database));
}
