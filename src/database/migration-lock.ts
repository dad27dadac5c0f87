import { closeSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';

const LOCK_NAME = 'exportready_startup';
const WAIT_SECONDS = 120;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** SQLite lives on one machine: an exclusive lock file, taken over when its owner has died. */
async function withFileLock<T>(lockPath: string, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + WAIT_SECONDS * 1000;
  for (;;) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(lockPath, 'utf8'));
      if (!owner || !processAlive(owner)) {
        unlinkSync(lockPath);
        continue;
      }
      if (Date.now() > deadline) throw new Error(`Timed out waiting for the start-up lock ${lockPath} held by pid ${owner}`, { cause: error });
      await sleep(200);
    }
  }
  try {
    return await work();
  } finally {
    unlinkSync(lockPath);
  }
}

/**
 * MariaDB: a named lock held by a connection of its own, outside the pool. Ending that
 * connection releases the lock on the server even if the work or the release query failed,
 * so a crashed start-up can never leave the lock held by a pooled connection.
 */
async function withNamedLock<T>(dataSource: DataSource, work: () => Promise<T>): Promise<T> {
  const options = dataSource.options as { host?: string; port?: number; username?: string; password?: string; database?: string };
  // Lock names are server-wide: name the database, so two sites on one server do not wait for each other.
  const lockName = `${LOCK_NAME}:${options.database ?? ''}`.slice(0, 64);
  const connection = await createConnection({ host: options.host, port: options.port, user: options.username, password: options.password });
  try {
    const [rows] = await connection.query('SELECT GET_LOCK(?, ?) AS acquired', [lockName, WAIT_SECONDS]);
    if (Number((rows as { acquired: number }[])[0]?.acquired) !== 1) throw new Error(`Timed out waiting for the start-up lock ${lockName}`);
    return await work();
  } finally {
    await connection.end().catch(() => connection.destroy());
  }
}

/**
 * Runs start-up work (migrations, the content/ import) so that two instances starting
 * together never do it at the same time.
 */
export async function withStartupLock<T>(dataSource: DataSource, sqlitePath: string | undefined, work: () => Promise<T>): Promise<T> {
  if (dataSource.options.type === 'better-sqlite3') {
    if (!sqlitePath || sqlitePath === ':memory:') return work();
    return withFileLock(`${sqlitePath}.startup.lock`, work);
  }
  return withNamedLock(dataSource, work);
}

export async function runMigrationsUnderLock(dataSource: DataSource, sqlitePath?: string): Promise<string[]> {
  return withStartupLock(dataSource, sqlitePath, async () =>
    (await dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name),
  );
}
