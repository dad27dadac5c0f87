import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { MultipartPart, readMultipartParts } from '../common/multipart-form';
import type { User } from '../users/user.entity';
import { IMAGE_MAX_BYTES } from '../common/image-info';

/**
 * The largest multipart body read at all: an image a little over the limit still arrives, so
 * the form can say it is too large; anything beyond this is refused with 413 unread.
 */
export const AUTHORING_UPLOAD_MAX_BYTES = IMAGE_MAX_BYTES * 2;

/** Bodies over the limit but under this are read and dropped, so the browser gets the "too large" page rather than a reset connection. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

type UploadRequest = Request & { uploads?: MultipartPart[] };

function drain(req: Request): Promise<void> {
  return new Promise((resolve) => {
    req.on('end', resolve);
    req.on('error', () => resolve());
    req.resume();
  });
}

/** The file sent in a form field, or null when none (or an empty one) was chosen. */
export function uploadedFile(req: Request, field: string): MultipartPart | null {
  const part = (req as UploadRequest).uploads?.find((p) => p.name === field && p.filename !== null);
  return part && (part.filename || part.data.length) ? part : null;
}

/**
 * Authoring forms with a file input (lesson images, GIFT files) are multipart. Their body is read
 * here, before the guards, so the CSRF guard finds the form's token as in any other form; the
 * text fields become req.body, the files stay as bytes. Only trainers' and administrators'
 * requests are read: anyone else is refused by the guards without their upload being buffered.
 */
@Injectable()
export class AuthoringUploadMiddleware implements NestMiddleware {
  async use(req: Request, _res: Response, next: NextFunction): Promise<void> {
    const role = (req.user as User | undefined)?.role;
    if (role !== 'trainer' && role !== 'admin') return next();
    try {
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > AUTHORING_UPLOAD_MAX_BYTES) {
        if (declared <= DRAIN_LIMIT_BYTES) await drain(req);
        return next(Object.assign(new Error('request entity too large'), { status: 413 }));
      }
      const parts = await readMultipartParts(req, AUTHORING_UPLOAD_MAX_BYTES);
      if (parts) {
        req.body = Object.fromEntries(
          parts.filter((p) => p.filename === null).map((p) => [p.name, p.data.toString('utf8')]),
        );
        (req as UploadRequest).uploads = parts.filter((p) => p.filename !== null);
      }
      next();
    } catch (error) {
      next(error);
    }
  }
}
