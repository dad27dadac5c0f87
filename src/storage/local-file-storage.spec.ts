import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalFileStorage } from './local-file-storage';

describe(LocalFileStorage.name, () => {
  let root: string;
  let storage: LocalFileStorage;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'er-storage-'));
    storage = new LocalFileStorage(root);
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('stores, finds and returns a file; writing it again replaces it and leaves no temp file', async () => {
    await expect(storage.exists('certificates/ER-2026-000001.pdf')).resolves.toBe(false);
    await expect(storage.get('certificates/ER-2026-000001.pdf')).resolves.toBeNull();
    await storage.put('certificates/ER-2026-000001.pdf', Buffer.from('first'));
    await storage.put('certificates/ER-2026-000001.pdf', Buffer.from('second'));
    await expect(storage.exists('certificates/ER-2026-000001.pdf')).resolves.toBe(true);
    await expect(storage.get('certificates/ER-2026-000001.pdf')).resolves.toEqual(Buffer.from('second'));
    expect(readdirSync(join(root, 'certificates'))).toEqual(['ER-2026-000001.pdf']);
    expect(readdirSync(join(root, '.tmp'))).toEqual([]);
  });

  it('refuses keys that could leave the storage folder', async () => {
    for (const key of ['../secret', '/etc/passwd', 'a/../../b', 'a//b', '', 'a\\b']) {
      await expect(storage.put(key, Buffer.from('x'))).rejects.toThrow('Invalid storage key');
    }
  });

  it('removes temp files left by a process that died mid-write, but not fresh ones', async () => {
    mkdirSync(join(root, '.tmp'));
    writeFileSync(join(root, '.tmp', 'old.tmp'), 'x');
    writeFileSync(join(root, '.tmp', 'fresh.tmp'), 'x');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(join(root, '.tmp', 'old.tmp'), twoHoursAgo, twoHoursAgo);
    await expect(storage.removeStaleTempFiles()).resolves.toBe(1);
    expect(readdirSync(join(root, '.tmp'))).toEqual(['fresh.tmp']);
  });

  it('keeps sweeping while the process runs: a temp file left after start-up goes once it is an hour old', async () => {
    mkdirSync(join(root, '.tmp'));
    writeFileSync(join(root, '.tmp', 'killed-worker.tmp'), 'half a PDF');
    jest.useFakeTimers({ now: Date.now() });
    const errors: unknown[] = [];
    const stop = storage.sweepTempFilesEvery(15 * 60_000, (error) => errors.push(error));
    try {
      await jest.advanceTimersByTimeAsync(45 * 60_000);
      expect(readdirSync(join(root, '.tmp'))).toEqual(['killed-worker.tmp']);
      await jest.advanceTimersByTimeAsync(30 * 60_000);
    } finally {
      stop();
      jest.useRealTimers();
    }
    // The sweep that the timer started finishes on the real file system.
    for (let i = 0; i < 100 && readdirSync(join(root, '.tmp')).length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(readdirSync(join(root, '.tmp'))).toEqual([]);
    expect(errors).toEqual([]);
  });
});
