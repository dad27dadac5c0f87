import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Names a browser may ask for under /media/videos/<id>/: what the transcode and the caption upload write, nothing else (not the original). */
export const MEDIA_FILE_NAME =
  /^(?:[0-9a-f]{16}-(?:(?:144p|240p|360p|480p|audio)(?:-init\.mp4|-\d{3,5}\.m4s|\.m3u8)|master\.m3u8|poster\.jpg|240p\.mp4|audio\.m4a)|captions-(?:en|ur)-[0-9a-f]{16}\.vtt)$/;

export const MEDIA_CONTENT_TYPES: Record<string, string> = {
  m3u8: 'application/vnd.apple.mpegurl',
  m4s: 'video/iso.segment',
  mp4: 'video/mp4',
  m4a: 'audio/mp4',
  jpg: 'image/jpeg',
  vtt: 'text/vtt; charset=utf-8',
};

/**
 * A video's files on the local disk (DATA_DIR/files/videos/<id>/): the upload as `original`
 * while it arrives and after, the transcoded files beside it. ffmpeg writes into a work
 * folder that is moved into place only when the whole transcode succeeded.
 */
export class VideoFiles {
  constructor(readonly root: string) {}

  dirOf(videoId: number): string {
    return join(this.root, String(videoId));
  }

  originalOf(videoId: number): string {
    return join(this.dirOf(videoId), 'original');
  }

  mediaPath(videoId: number, name: string): string | null {
    return MEDIA_FILE_NAME.test(name) ? join(this.dirOf(videoId), name) : null;
  }

  async receivedBytes(videoId: number): Promise<number> {
    try {
      return (await stat(this.originalOf(videoId))).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
  }

  /**
   * Appends a chunk at `offset`, refusing more than `maxBytes` in the chunk. Returns the file's
   * new size. The caller has checked that offset is the current size.
   */
  async append(videoId: number, offset: number, body: Readable, maxBytes: number): Promise<number> {
    await mkdir(this.dirOf(videoId), { recursive: true });
    const path = this.originalOf(videoId);
    const handle = await open(path, 'a');
    await handle.truncate(offset);
    await handle.close();
    let seen = 0;
    body.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > maxBytes) body.destroy(new ChunkTooLargeError());
    });
    try {
      await pipeline(body, createWriteStream(path, { flags: 'a' }));
    } catch (error) {
      // What arrived before the connection dropped stays: the client resumes from the size it asks for.
      if (error instanceof ChunkTooLargeError) await truncateTo(path, offset);
      throw error;
    }
    return (await stat(path)).size;
  }

  /** Moves a file already on disk (a whole upload from the plain form) in as the original. */
  async adopt(videoId: number, file: string): Promise<void> {
    await mkdir(this.dirOf(videoId), { recursive: true });
    await rename(file, this.originalOf(videoId));
  }

  async workDir(videoId: number, prefix: string): Promise<string> {
    const dir = join(this.dirOf(videoId), `.work-${prefix}`);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /** Moves a finished transcode into place and deletes what earlier transcodes of the video made. */
  async publishWork(videoId: number, prefix: string): Promise<void> {
    const dir = this.dirOf(videoId);
    const work = join(dir, `.work-${prefix}`);
    for (const name of await readdir(work)) await rename(join(work, name), join(dir, name));
    await rm(work, { recursive: true, force: true });
    for (const name of await readdir(dir)) {
      if (/^[0-9a-f]{16}-/.test(name) && !name.startsWith(`${prefix}-`)) await rm(join(dir, name), { force: true });
      if (name.startsWith('.work-') && name !== `.work-${prefix}`) await rm(join(dir, name), { recursive: true, force: true });
    }
  }

  async discardWork(videoId: number, prefix: string): Promise<void> {
    await rm(join(this.dirOf(videoId), `.work-${prefix}`), { recursive: true, force: true });
  }

  async removeOriginal(videoId: number): Promise<void> {
    await rm(this.originalOf(videoId), { force: true });
  }

  async writeFile(videoId: number, name: string, data: string): Promise<void> {
    await mkdir(this.dirOf(videoId), { recursive: true });
    const temp = join(this.dirOf(videoId), `.${name}.tmp`);
    await writeFile(temp, data);
    await rename(temp, join(this.dirOf(videoId), name));
  }
}

export class ChunkTooLargeError extends Error {}

async function truncateTo(path: string, size: number): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.truncate(size);
  } finally {
    await handle.close();
  }
}
