import { closeSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
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

/** MariaDB: a named lock tied to one connection, released by the server if this process dies. */
async function withNamedLock<T>(dataSource: DataSource, work: () => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    const [row] = await runner.query('SELECT GET_LOCK(?, ?) AS acquired', [LOCK_NAME, WAIT_SECONDS]);
    if (Number(row.acquired) !== 1) throw new Error(`Timed out waiting for the migration lock ${LOCK_NAME}`);
    try {
      return await work();
    } finally {
      await runner.query('SELECT RELEASE_LOCK(?)', [LOCK_NAME]);
    }
  } finally {
    await runner.release();
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
