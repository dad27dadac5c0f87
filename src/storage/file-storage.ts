/** Where files (certificate PDFs, later uploads) live; the local disk today, an S3-compatible bucket later. */
export interface FileStorage {
  /** Stores the whole file under the key: readers see the previous content or the new one, never half a file. */
  put(key: string, data: Buffer): Promise<void>;
  /** The file's content, or null when there is none. */
  get(key: string): Promise<Buffer | null>;
  exists(key: string): Promise<boolean>;
}

export const FILE_STORAGE = Symbol('FILE_STORAGE');

const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

/** Keys are relative, slash-separated names without dot segments, so no key can escape the storage root. */
export function assertStorageKey(key: string): void {
  if (!KEY_PATTERN.test(key) || key.split('/').some((part) => part === '..' || part === '.') || key.length > 255) {
    throw new Error(`Invalid storage key: ${JSON.stringify(key)}`);
  }
}
