import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';

/**
 * Reads a private key kept as JSON in a file, creating it first with `create` if there is none.
 * Every process on one data dir must end up with the same key: the new key is written to a temp
 * file and linked into place, which fails if another process got there first (its key wins).
 */
export async function readOrCreateKeyFile<T>(path: string, create: () => Promise<T>): Promise<T> {
  if (!existsSync(path)) {
    const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(temp, JSON.stringify(await create(), null, 2), { mode: 0o600 });
    try {
      linkSync(temp, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(temp);
    }
  }
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}
