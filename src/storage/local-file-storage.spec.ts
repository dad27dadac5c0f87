import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
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

  async function text(stream: Readable | null): Promise<string | null> {
    if (!stream) return null;
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString();
  }

  it('moves a finished local file in, and streams it back whole or one range at a time', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'er-outside-'));
    try {
      writeFileSync(join(outside, 'clip'), '0123456789');
      await storage.putFile('videos/7/clip.mp4', join(outside, 'clip'));
      expect(existsSync(join(outside, 'clip'))).toBe(false);
      await expect(storage.size('videos/7/clip.mp4')).resolves.toBe(10);
      await expect(text(await storage.read('videos/7/clip.mp4'))).resolves.toBe('0123456789');
      await expect(text(await storage.read('videos/7/clip.mp4', { start: 2, end: 4 }))).resolves.toBe('234');
      await expect(storage.read('videos/7/missing.mp4')).resolves.toBeNull();
      await expect(storage.size('videos/7/missing.mp4')).resolves.toBeNull();
      // A folder is not a file.
      await expect(storage.size('videos/7')).resolves.toBeNull();
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('lists a folder at any depth without temp files, and deletes', async () => {
    await storage.put('videos/1/a.vtt', Buffer.from('a'));
    await storage.put('videos/1/sub/b.m4s', Buffer.from('b'));
    await storage.put('videos/10/c.vtt', Buffer.from('c'));
    writeFileSync(join(root, 'videos', '1', '.a.vtt.tmp'), 'half');
    await expect(storage.list('videos/1')).resolves.toEqual(['videos/1/a.vtt', 'videos/1/sub/b.m4s']);
    await expect(storage.list('videos/2')).resolves.toEqual([]);
    await storage.delete('videos/1/a.vtt');
    await storage.delete('videos/1/a.vtt');
    await expect(storage.list('videos/1')).resolves.toEqual(['videos/1/sub/b.m4s']);
    await expect(storage.list('../etc')).rejects.toThrow('Invalid storage key');
  });

  it('gives programs the stored file itself, with nothing to clean up', async () => {
    await storage.put('videos/3/original', Buffer.from('source'));
    const copy = await storage.localCopy('videos/3/original');
    expect(copy?.path).toBe(join(root, 'videos', '3', 'original'));
    await copy?.release();
    await expect(storage.exists('videos/3/original')).resolves.toBe(true);
    await expect(storage.localCopy('videos/3/gone')).resolves.toBeNull();
  });
});
