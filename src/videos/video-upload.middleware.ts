import { randomBytes } from 'node:crypto';
import { createWriteStream, WriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import type { User } from '../users/user.entity';
import { videoSpoolDir } from './video-files';

/** A file of a multipart form, already on disk. */
export interface UploadedVideoFile {
  field: string;
  filename: string;
  path: string;
  size: number;
}

type VideoUploadRequest = Request & { videoFiles?: UploadedVideoFile[] };

const FIELD_MAX_BYTES = 64 * 1024;
/** Room for the form's other fields and the multipart framing around the file. */
const FORM_OVERHEAD_BYTES = 1024 * 1024;

function httpError(status: number, message: string): Error {
  return Object.assign(new Error(message), { status });
}

export function uploadedVideoFile(req: Request, field: string): UploadedVideoFile | null {
  const file = (req as VideoUploadRequest).videoFiles?.find((f) => f.field === field);
  return file && (file.filename || file.size) ? file : null;
}

/**
 * The video forms that work without JavaScript (the whole video, or a caption file) are
 * multipart. Unlike the lesson-image forms, a video is far too large to hold in memory: this
 * reads the body as it arrives, writes file parts to disk and makes the text fields req.body
 * (so the CSRF guard finds the token), before the guards run. Only trainers' and admins'
 * requests are read; the files are deleted when the response ends unless a handler moved them.
 */
@Injectable()
export class VideoUploadMiddleware implements NestMiddleware {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    const role = (req.user as User | undefined)?.role;
    const boundary = /^multipart\/form-data;.*\bboundary=(?:"([^"]+)"|([^;\s]+))/i.exec(req.headers['content-type'] ?? '');
    if ((role !== 'trainer' && role !== 'admin') || !boundary) return next();
    const limit = this.config.video.maxBytes + FORM_OVERHEAD_BYTES;
    if (Number(req.headers['content-length'] ?? 0) > limit) return next(httpError(413, 'request entity too large'));
    const dir = join(videoSpoolDir(this.config.dataDir), 'incoming');
    await mkdir(dir, { recursive: true });
    const files: UploadedVideoFile[] = [];
    res.on('close', () => void Promise.all(files.map((f) => rm(f.path, { force: true }))));
    try {
      const fields = await readMultipartToDisk(req, boundary[1] ?? boundary[2], limit, () => join(dir, randomBytes(12).toString('hex')), files);
      req.body = fields;
      (req as VideoUploadRequest).videoFiles = files;
      next();
    } catch (error) {
      next(error);
    }
  }
}

/**
 * A streaming multipart/form-data reader: text fields are collected, file parts are written to
 * new files as their bytes arrive (with backpressure), the whole body is limited to maxBytes.
 */
async function readMultipartToDisk(
  req: Request,
  boundary: string,
  maxBytes: number,
  newPath: () => string,
  files: UploadedVideoFile[],
): Promise<Record<string, string>> {
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const fields: Record<string, string> = {};
  // The body starts with "--boundary" (no CRLF before it): pretend there was one.
  let buffer = Buffer.from('\r\n');
  let total = 0;
  type State = 'preamble' | 'headers' | 'body' | 'done';
  const parser: { state: State } = { state: 'preamble' };
  let part: { name: string; file: UploadedVideoFile | null; out: WriteStream | null; chunks: Buffer[]; size: number } | null = null;

  const write = async (data: Buffer) => {
    if (!part || data.length === 0) return;
    part.size += data.length;
    if (part.out && part.file) {
      part.file.size += data.length;
      if (!part.out.write(data)) await new Promise<void>((resolve) => part!.out!.once('drain', () => resolve()));
    } else {
      if (part.size > FIELD_MAX_BYTES) throw httpError(413, 'form field too large');
      part.chunks.push(data);
    }
  };
  const endPart = async () => {
    if (!part) return;
    if (part.out) await new Promise<void>((resolve, reject) => part!.out!.end((error?: Error | null) => (error ? reject(error) : resolve())));
    else fields[part.name] = Buffer.concat(part.chunks).toString('utf8');
    part = null;
  };

  const consume = async (): Promise<void> => {
    for (;;) {
      if (parser.state === 'preamble' || parser.state === 'body') {
        const at = buffer.indexOf(delimiter);
        if (at < 0) {
          // Keep what could be the start of a delimiter split across chunks.
          const safe = Math.max(0, buffer.length - delimiter.length - 4);
          if (parser.state === 'body') await write(buffer.subarray(0, safe));
          buffer = buffer.subarray(safe);
          return;
        }
        if (buffer.length < at + delimiter.length + 2) return;
        if (parser.state === 'body') {
          await write(buffer.subarray(0, at));
          await endPart();
        }
        const after = buffer.subarray(at + delimiter.length, at + delimiter.length + 2).toString('latin1');
        buffer = buffer.subarray(at + delimiter.length + 2);
        if (after === '--') {
          parser.state = 'done';
          return;
        }
        parser.state = 'headers';
      } else if (parser.state === 'headers') {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) {
          if (buffer.length > 16 * 1024) throw httpError(400, 'multipart headers too large');
          return;
        }
        const headers = buffer.subarray(0, end).toString('utf8');
        buffer = buffer.subarray(end + 4);
        const disposition = /content-disposition:[^\r\n]*/i.exec(headers)?.[0] ?? '';
        const name = /\bname="([^"]*)"/i.exec(disposition)?.[1] ?? '';
        const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
        if (filename !== undefined) {
          const file: UploadedVideoFile = { field: name, filename, path: newPath(), size: 0 };
          files.push(file);
          part = { name, file, out: createWriteStream(file.path, { mode: 0o640 }), chunks: [], size: 0 };
        } else {
          part = { name, file: null, out: null, chunks: [], size: 0 };
        }
        parser.state = 'body';
      } else {
        return;
      }
    }
  };

  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) throw httpError(413, 'request entity too large');
    if (parser.state === 'done') continue;
    buffer = Buffer.concat([buffer, chunk]);
    await consume();
  }
  if (parser.state !== 'done') {
    await endPart().catch(() => undefined);
    throw httpError(400, 'incomplete multipart body');
  }
  return fields;
}
