import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { assertStorageKey, ByteRange, FileStorage, LocalCopy } from './file-storage';

const TEMP_DIR = '.tmp';
const STALE_TEMP_MS = 60 * 60 * 1000;

/**
 * Files under one directory (DATA_DIR/files). A write goes to a temporary file first and is
 * renamed into place, so a process killed mid-write leaves at most a stray temp file, never a
 * truncated PDF under its real name; writing the same key twice leaves one file.
 */
export class LocalFileStorage implements FileStorage {
  constructor(private readonly root: string) {}

  async put(key: string, data: Buffer): Promise<void> {
    const target = this.pathOf(key);
    const temp = join(this.root, TEMP_DIR, `${randomBytes(8).toString('hex')}.tmp`);
    await mkdir(dirname(temp), { recursive: true });
    await mkdir(dirname(target), { recursive: true });
    const handle = await open(temp, 'w', 0o640);
    try {
      await handle.writeFile(data);
      // On disk before the rename, so a file the database calls issued survives a power cut too.
      await handle.datasync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async putFile(key: string, localPath: string): Promise<void> {
    const target = this.pathOf(key);
    await mkdir(dirname(target), { recursive: true });
    const handle = await open(localPath, 'r+');
    try {
      await handle.datasync();
    } finally {
      await handle.close();
    }
    try {
      await rename(localPath, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      // Another disk: copy beside the target first, so the target still appears whole or not at all.
      const temp = join(this.root, TEMP_DIR, `${randomBytes(8).toString('hex')}.tmp`);
      await mkdir(dirname(temp), { recursive: true });
      try {
        await copyFile(localPath, temp);
        await rename(temp, target);
      } finally {
        await rm(temp, { force: true });
      }
      await rm(localPath, { force: true });
    }
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  async size(key: string): Promise<number | null> {
    try {
      const info = await stat(this.pathOf(key));
      return info.isFile() ? info.size : null;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable | null> {
    // Opened before returning, so a missing file is a null here rather than a stream error later.
    let handle;
    try {
      handle = await open(this.pathOf(key), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
  }

  /** The stored file is already on this disk: its own path, nothing to release. */
  async localCopy(key: string): Promise<LocalCopy | null> {
    const path = this.pathOf(key);
    if (!(await this.exists(key))) return null;
    return { path, release: async () => undefined };
  }

  async list(folder: string): Promise<string[]> {
    assertStorageKey(folder);
    const start = join(this.root, folder);
    const keys: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      for (const entry of entries) {
        // Dot names are never keys (a writer's temp files, folders of the old layout).
        if (entry.name.startsWith('.')) continue;
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (entry.isFile()) keys.push(relative(this.root, path).split(sep).join('/'));
      }
    };
    await walk(start);
    return keys.sort();
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  /** Removes temp files left by processes that died mid-write (recent ones may still be in use). */
  async removeStaleTempFiles(now = Date.now()): Promise<number> {
    const dir = join(this.root, TEMP_DIR);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
    let removed = 0;
    for (const name of names) {
      const path = join(dir, name);
      const info = await stat(path).catch(() => null);
      if (info && now - info.mtimeMs > STALE_TEMP_MS) {
        await rm(path, { force: true });
        removed += 1;
      }
    }
    return removed;
  }

  /**
   * Removes stale temp files every `everyMs` until the returned function is called. Start-up
   * sweeps once, but a worker killed mid-write shortly before a restart leaves a file that is
   * not yet stale then, and the restarted process may run for weeks.
   */
  sweepTempFilesEvery(everyMs: number, onError: (error: unknown) => void): () => void {
    const timer = setInterval(() => void this.removeStaleTempFiles().catch(onError), everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  private pathOf(key: string): string {
    assertStorageKey(key);
    return join(this.root, key);
  }
}
