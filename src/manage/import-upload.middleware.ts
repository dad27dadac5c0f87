import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { parseMultipart } from '../common/multipart-form';
import { MAX_UPLOAD_BYTES } from '../programmes/bulk-enrolment.service';

/** Form fields and multipart framing around the file. */
const FORM_OVERHEAD_BYTES = 16 * 1024;
/** Past this the upload is not worth reading to the end: the connection is closed. */
const CUT_OFF_BYTES = 64 * 1024 * 1024;

function httpError(status: number, message: string): Error {
  return Object.assign(new Error(message), { status });
}

/**
 * The fields wholly inside the start of a body that was too long to keep: the form sends its
 * CSRF token and options before the file, so they survive and the page can say what went wrong.
 */
function leadingFields(prefix: Buffer, boundary: string): Record<string, string> {
  const end = prefix.lastIndexOf(`\r\n--${boundary}`);
  if (end < 0) return {};
  try {
    return parseMultipart(Buffer.concat([prefix.subarray(0, end), Buffer.from(`\r\n--${boundary}--\r\n`)]), boundary);
  } catch {
    return {};
  }
}

/**
 * Reads the CSV upload form before the guards run (so the CSRF guard finds the token, as in any
 * form). A file over the limit is not kept: the body gets `fileTooLarge` and the page says so.
 */
@Injectable()
export class ImportUploadMiddleware implements NestMiddleware {
  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    const boundary = /^multipart\/form-data;.*\bboundary=(?:"([^"]+)"|([^;\s]+))/i.exec(req.headers['content-type'] ?? '');
    if (!boundary) return next();
    if (Number(req.headers['content-length'] ?? 0) > CUT_OFF_BYTES) {
      res.setHeader('Connection', 'close');
      return next(httpError(413, 'request entity too large'));
    }
    const keep = MAX_UPLOAD_BYTES + FORM_OVERHEAD_BYTES;
    const chunks: Buffer[] = [];
    let kept = 0;
    let size = 0;
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > CUT_OFF_BYTES) {
          res.setHeader('Connection', 'close');
          return next(httpError(413, 'request entity too large'));
        }
        if (kept < keep) {
          const part = chunk.subarray(0, keep - kept);
          chunks.push(part);
          kept += part.length;
        }
      }
    } catch (error) {
      return next(error);
    }
    const body = Buffer.concat(chunks);
    const name = boundary[1] ?? boundary[2];
    if (size > keep) {
      req.body = { ...leadingFields(body, name), fileTooLarge: '1' };
      return next();
    }
    try {
      req.body = parseMultipart(body, name);
    } catch {
      return next(httpError(400, 'malformed multipart body'));
    }
    next();
  }
}
