import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { readMultipartForm } from '../common/multipart-form';
import { I18nService } from '../i18n/i18n.service';
import type { Locale, User } from '../users/user.entity';

/** The queue dashboard (Bull Board, an Express app of its own) is for admins only. */
@Injectable()
export class AdminOnlyMiddleware implements NestMiddleware {
  constructor(private readonly i18n: I18nService) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const user = req.user as User | undefined;
    if (user?.role === 'admin') return next();
    if (!user && req.method === 'GET') return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    const locale: Locale = res.locals.locale ?? 'en';
    const status = user ? 403 : 401;
    res.status(status).render('errors/error', {
      status,
      title: this.i18n.translate(locale, `errors.title_${status}`),
      message: this.i18n.translate(locale, user ? 'errors.forbidden' : 'errors.sign_in_required'),
    });
  }
}

const MAX_CREDENTIAL_UPLOAD_BYTES = 256 * 1024;

/**
 * The credential check form uploads a file. Its body is read here, before the guards, so the
 * CSRF guard finds the form's token as in any urlencoded form.
 */
@Injectable()
export class CredentialUploadMiddleware implements NestMiddleware {
  async use(req: Request, _res: Response, next: NextFunction): Promise<void> {
    const fields = await readMultipartForm(req, MAX_CREDENTIAL_UPLOAD_BYTES);
    if (fields) req.body = fields;
    next();
  }
}
