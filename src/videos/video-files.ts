import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FileStorage, LocalCopy } from '../storage/file-storage';

/** Names a browser may ask for under /media/videos/<id>/: what the transcode and the caption upload write, nothing else (not the original). */
export const MEDIA_FILE_NAME =
  /^(?:[0-9a-f]{16}-(?:(?:144p|240p|360p|480p|audio)(?:-init\.mp4|-\d{3,5}\.m4s|\.m3u8)|master\.m3u8|poster\.jpg|240p\.mp4|audio\.m4a)|captions-(?:en|ur)-[0-9a-f]{16}\.vtt)$/;

/** The local folder for videos still being made (see VideoFiles). */
export function videoSpoolDir(dataDir: string): string {
  return join(dataDir, 'spool', 'videos');
}

/** An append takes milliseconds; a lock this old was left by a killed process. */
const STALE_LOCK_MS = 60_000;
const LOCK_WAIT_MS = 50;
const LOCK_ATTEMPTS = 100;
const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;

/** A transcode's output: `<prefix>-…`, where the prefix is new for every transcode. */
const TRANSCODE_OUTPUT = /^([0-9a-f]{16})-/;

export const MEDIA_CONTENT_TYPES: Record<string, string> = {
  m3u8: 'application/vnd.apple.mpegurl',
  m4s: 'video/iso.segment',
  mp4: 'video/mp4',
  m4a: 'audio/mp4',
  jpg: 'image/jpeg',
  vtt: 'text/vtt; charset=utf-8',
};

/**
 * A video's files. What learners get, and the kept original, live in the file storage under
 * `videos/<id>/`. What is still being made lives in a local spool (DATA_DIR/spool/videos): an
 * upload while its chunks arrive (`<id>.upload`, appended to, which a bucket cannot do), and
 * ffmpeg's work folder, whose files go into the storage only when the whole transcode succeeded.
 */
export class VideoFiles {
  constructor(
    private readonly storage: FileStorage,
    readonly spool: string,
  ) {}

  keyOf(videoId: number, name: string): string {
    return `videos/${videoId}/${name}`;
  }

  private originalKey(videoId: number): string {
    return this.keyOf(videoId, 'original');
  }

  /** An upload on its way in. */
  uploadPathOf(videoId: number): string {
    return join(this.spool, `${videoId}.upload`);
  }

  /** The storage key a browser's request names, or null when the name is not one we serve. */
  mediaKey(videoId: number, name: string): string | null {
    return MEDIA_FILE_NAME.test(name) ? this.keyOf(videoId, name) : null;
  }

  /** How much of an upload in progress the server holds: where a client resumes. */
  async uploadedBytes(videoId: number): Promise<number> {
    try {
      return (await stat(this.uploadPathOf(videoId))).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
  }

  /**
   * Appends a chunk at `offset`, refusing more than `maxBytes` in the chunk. Returns the upload's
   * new size. The chunk is received into its own part file and appended only once it is in,
   * under a lock, if the upload is still at `offset`: a client that resends a chunk while its
   * first try is still arriving (a timeout on a slow line) cannot interleave the two, and the
   * upload is always a prefix of the file being sent. What arrived before a connection dropped
   * is kept, so the client resumes from there.
   */
  async append(videoId: number, offset: number, body: Readable, maxBytes: number): Promise<number> {
    await mkdir(this.spool, { recursive: true });
    const part = join(this.spool, `${videoId}.${randomBytes(6).toString('hex')}.part`);
    let seen = 0;
    body.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > maxBytes) body.destroy(new ChunkTooLargeError());
    });
    let dropped: unknown = null;
    try {
      try {
        await pipeline(body, createWriteStream(part));
      } catch (error) {
        if (error instanceof ChunkTooLargeError) throw error;
        dropped = error;
      }
      const size = await this.withUploadLock(videoId, async () => {
        const held = await this.uploadedBytes(videoId);
        if (held !== offset) throw new UploadMovedError(held);
        await pipeline(createReadStream(part), createWriteStream(this.uploadPathOf(videoId), { flags: 'a' }));
        return (await stat(this.uploadPathOf(videoId))).size;
      });
      if (dropped) throw dropped;
      return size;
    } finally {
      await rm(part, { force: true });
    }
  }

  /** Runs `work` holding the upload's lock file; a lock left by a killed process is broken after a minute. */
  private async withUploadLock<T>(videoId: number, work: () => Promise<T>): Promise<T> {
    const lock = join(this.spool, `${videoId}.lock`);
    for (let attempt = 0; ; attempt++) {
      try {
        await (await open(lock, 'wx')).close();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const info = await stat(lock).catch(() => null);
        if (info && Date.now() - info.mtimeMs > STALE_LOCK_MS) await rm(lock, { force: true });
        else if (attempt >= LOCK_ATTEMPTS) throw new UploadMovedError(await this.uploadedBytes(videoId));
        else await new Promise((resolve) => setTimeout(resolve, LOCK_WAIT_MS));
      }
    }
    try {
      return await work();
    } finally {
      await rm(lock, { force: true });
    }
  }

  /** Moves a file already on disk (a whole upload from the plain form) in as the upload. */
  async adopt(videoId: number, file: string): Promise<void> {
    await mkdir(this.spool, { recursive: true });
    await rename(file, this.uploadPathOf(videoId));
  }

  /** Copies a file (a content/ folder's video) in as the upload. */
  async copyIn(videoId: number, file: string): Promise<void> {
    await mkdir(this.spool, { recursive: true });
    await copyFile(file, this.uploadPathOf(videoId));
  }

  /** The finished, checked upload becomes the stored original the worker transcodes from. */
  async storeUpload(videoId: number): Promise<void> {
    await this.storage.putFile(this.originalKey(videoId), this.uploadPathOf(videoId));
  }

  async discardUpload(videoId: number): Promise<void> {
    await rm(this.uploadPathOf(videoId), { force: true });
  }

  async originalSize(videoId: number): Promise<number | null> {
    return this.storage.size(this.originalKey(videoId));
  }

  /** The original as a file ffmpeg can read (fetched into `scratchDir` when the storage is remote). */
  async localOriginal(videoId: number, scratchDir: string): Promise<LocalCopy> {
    const copy = await this.storage.localCopy(this.originalKey(videoId), scratchDir);
    if (!copy) throw new Error(`the original of video ${videoId} is gone`);
    return copy;
  }

  async removeOriginal(videoId: number): Promise<void> {
    await this.storage.delete(this.originalKey(videoId));
  }

  async workDir(videoId: number, prefix: string): Promise<string> {
    const dir = join(this.spool, `work-${videoId}-${prefix}`);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /**
   * Puts a finished transcode's files into the storage, then deletes what earlier transcodes of
   * the video made. The playlists go in last, so no stored playlist names a segment not yet there.
   */
  async publishWork(videoId: number, prefix: string): Promise<void> {
    const work = join(this.spool, `work-${videoId}-${prefix}`);
    const names = (await readdir(work)).filter((name) => name.startsWith(`${prefix}-`));
    const playlistsLast = [...names.filter((n) => !n.endsWith('.m3u8')), ...names.filter((n) => n.endsWith('.m3u8'))];
    for (const name of playlistsLast) await this.storage.putFile(this.keyOf(videoId, name), join(work, name));
    await rm(work, { recursive: true, force: true });
    for (const key of await this.storage.list(`videos/${videoId}`)) {
      const match = TRANSCODE_OUTPUT.exec(key.slice(key.lastIndexOf('/') + 1));
      if (match && match[1] !== prefix) await this.storage.delete(key);
    }
  }

  /**
   * Removes what killed processes left in the spool: ffmpeg work folders (a transcode runs far
   * less than a day), part files, lock files and plain-form uploads older than an hour. Uploads in
   * progress (`<id>.upload`) are the abandoned-upload sweep's.
   */
  async sweepSpool(now: number): Promise<number> {
    let removed = 0;
    const sweep = async (dir: string, stale: (name: string) => number | null) => {
      const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [] as string[];
        throw error;
      });
      for (const name of names) {
        const maxAge = stale(name);
        if (maxAge === null) continue;
        const info = await stat(join(dir, name)).catch(() => null);
        if (!info || now - info.mtimeMs <= maxAge) continue;
        await rm(join(dir, name), { recursive: true, force: true });
        removed += 1;
      }
    };
    await sweep(this.spool, (name) => (name.startsWith('work-') ? DAY_MS : /\.(part|lock)$/.test(name) ? HOUR_MS : null));
    await sweep(join(this.spool, 'incoming'), () => HOUR_MS);
    return removed;
  }

  async discardWork(videoId: number, prefix: string): Promise<void> {
    await rm(join(this.spool, `work-${videoId}-${prefix}`), { recursive: true, force: true });
  }

  async writeFile(videoId: number, name: string, data: string): Promise<void> {
    await this.storage.put(this.keyOf(videoId, name), Buffer.from(data));
  }

  async deleteFile(videoId: number, name: string): Promise<void> {
    await this.storage.delete(this.keyOf(videoId, name));
  }

  /** Every stored file of the video (a video no lesson uses any more). */
  async deleteAll(videoId: number): Promise<number> {
    const keys = await this.storage.list(`videos/${videoId}`);
    for (const key of keys) await this.storage.delete(key);
    return keys.length;
  }

  async readFile(videoId: number, name: string): Promise<Buffer | null> {
    return this.storage.get(this.keyOf(videoId, name));
  }
}

export class ChunkTooLargeError extends Error {}

/** The upload is not at the offset a chunk was sent for (another try of it got there first). */
export class UploadMovedError extends Error {
  constructor(readonly received: number) {
    super(`the upload holds ${received} bytes`);
  }
}

/** SHA-256 and size of a file, read as a stream: a video may be far larger than the heap. */
export async function hashFile(path: string): Promise<{ sha: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const source = createReadStream(path).on('data', (chunk) => (size += chunk.length));
  await pipeline(source, hash);
  return { sha: hash.digest('hex'), size };
}
