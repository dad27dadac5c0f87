import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import type { ByteRange, FileStorage } from './file-storage';

/**
 * Answers a GET or HEAD with a stored file, streamed: 200 with the whole file, 206 for one byte
 * range (what a media element or a resumed download asks for), 416 for a range past the end,
 * 304 when the browser's ETag matches. Several ranges at once get the whole file, which HTTP allows.
 * Returns false, having sent nothing, when there is no such file.
 */
export async function sendStoredFile(req: Request, res: Response, storage: FileStorage, key: string, headers: Record<string, string>): Promise<boolean> {
  const size = await storage.size(key);
  if (size === null) return false;
  // The URL names one content for good (callers serve only such keys), so its size tells versions apart.
  const etag = `"${size.toString(16)}"`;
  res.set({ ...headers, ETag: etag, 'Accept-Ranges': 'bytes' });
  if (req.fresh) {
    res.status(304).end();
    return true;
  }
  let range: ByteRange | undefined;
  const ifRange = req.headers['if-range'];
  if (req.headers.range && (!ifRange || ifRange === etag)) {
    const ranges = req.range(size);
    if (ranges === -1) {
      res.status(416).set('Content-Range', `bytes */${size}`).end();
      return true;
    }
    if (Array.isArray(ranges) && ranges.type === 'bytes' && ranges.length === 1) range = { start: ranges[0].start, end: ranges[0].end };
  }
  const length = range ? range.end - range.start + 1 : size;
  res.status(range ? 206 : 200).set('Content-Length', String(length));
  if (range) res.set('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
  if (req.method === 'HEAD' || length === 0) {
    res.end();
    return true;
  }
  const body = await storage.read(key, range);
  if (!body) {
    // Deleted between the size and the read (a newer transcode replaced it).
    res.removeHeader('Content-Length');
    res.removeHeader('Content-Range');
    return false;
  }
  try {
    await pipeline(body, res);
  } catch (error) {
    // A viewer who stops watching closes the connection mid-file; nothing to report.
    if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error;
  }
  return true;
}
