import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { AppConfig } from '../../src/config/app-config';

/**
 * A fresh, empty database for one test file: an SQLite file in a temp dir by default,
 * or a new MariaDB database when TEST_DB=mariadb (MARIADB_URL names the server).
 */
export interface TestDatabase {
  kind: 'sqlite' | 'mariadb';
  url: string;
  config: AppConfig['database'];
  dataDir: string;
  drop(): Promise<void>;
}

export function testDatabaseKind(): 'sqlite' | 'mariadb' {
  return process.env.TEST_DB === 'mariadb' ? 'mariadb' : 'sqlite';
}

export async function createTestDatabase(kind = testDatabaseKind()): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'exportready-test-'));
  if (kind === 'sqlite') {
    const sqlitePath = join(dataDir, 'test.sqlite');
    return {
      kind,
      url: `sqlite:${sqlitePath}`,
      config: { kind: 'sqlite', url: `sqlite:${sqlitePath}`, sqlitePath },
      dataDir,
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const server = new URL(process.env.MARIADB_URL ?? 'mysql://root@127.0.0.1:3306/');
  const name = `er_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = await createConnection({ host: server.hostname, port: Number(server.port || 3306), user: server.username || 'root', password: decodeURIComponent(server.password) });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  const url = `mysql://${server.username || 'root'}${server.password ? ':' + server.password : ''}@${server.hostname}:${server.port || 3306}/${name}`;
  return {
    kind,
    url,
    config: { kind: 'mariadb', url },
    dataDir,
    drop: async () => {
      const conn = await createConnection({ host: server.hostname, port: Number(server.port || 3306), user: server.username || 'root', password: decodeURIComponent(server.password) });
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await conn.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
