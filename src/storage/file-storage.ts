import type { Readable } from 'node:stream';

/** Bytes `start` to `end`, both included (as in an HTTP Range header). */
export interface ByteRange {
  start: number;
  end: number;
}

/** A path on this machine with a stored file's content, for programs that read files (ffprobe, ffmpeg). */
export interface LocalCopy {
  path: string;
  /** Deletes the copy, if one was made for the caller. */
  release(): Promise<void>;
}

/**
 * Where files live (certificate PDFs, lesson images, videos); the local disk today, an
 * S3-compatible bucket later. Keys are slash-separated names such as `videos/12/poster.jpg`.
 * Small files travel as Buffers; large ones (videos) go in from a finished local file and come
 * out as streams, so they never sit in memory whole.
 */
export interface FileStorage {
  /** Stores the whole file under the key: readers see the previous content or the new one, never half a file. */
  put(key: string, data: Buffer): Promise<void>;
  /** Moves a finished local file in under the key (the local file is gone afterwards), with put's guarantee. */
  putFile(key: string, localPath: string): Promise<void>;
  /** The file's content, or null when there is none. */
  get(key: string): Promise<Buffer | null>;
  exists(key: string): Promise<boolean>;
  /** The file's size in bytes, or null when there is none. */
  size(key: string): Promise<number | null>;
  /** The file's bytes (all, or one range), or null when there is none. */
  read(key: string, range?: ByteRange): Promise<Readable | null>;
  /** The file on this machine's disk: the stored file itself where it is on disk, else a copy made in `scratchDir`. */
  localCopy(key: string, scratchDir: string): Promise<LocalCopy | null>;
  /** The keys of the files under a folder (`videos/12`), at any depth, sorted. */
  list(folder: string): Promise<string[]>;
  /** Deletes the file; deleting a file that is not there is not an error. */
  delete(key: string): Promise<void>;
}

export const FILE_STORAGE = Symbol('FILE_STORAGE');

const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

/** Keys are relative, slash-separated names without dot segments, so no key can escape the storage root. */
export function assertStorageKey(key: string): void {
  if (!KEY_PATTERN.test(key) || key.split('/').some((part) => part === '..' || part === '.') || key.length > 255) {
    throw new Error(`Invalid storage key: ${JSON.stringify(key)}`);
  }
}
