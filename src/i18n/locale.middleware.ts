import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { csrfToken } from '../auth/csrf';
import type { Locale, User } from '../users/user.entity';
import { I18nService, isLocale } from './i18n.service';

export const LOCALE_COOKIE = 'er_lang';

function cookieValue(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

/**
 * Picks the page language (account, then the switch cookie, then the browser's preference)
 * and puts everything the layout needs into res.locals.
 */
@Injectable()
export class LocaleMiddleware implements NestMiddleware {
  constructor(private readonly i18n: I18nService) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const user = req.user as User | undefined;
    const cookie = cookieValue(req, LOCALE_COOKIE);
    const browserWantsUrdu = /^ur\b/i.test(req.headers['accept-language'] ?? '');
    const locale: Locale = user?.locale ?? (isLocale(cookie) ? cookie : browserWantsUrdu ? 'ur' : 'en');
    const other: Locale = locale === 'ur' ? 'en' : 'ur';
    Object.assign(res.locals, {
      locale,
      dir: this.i18n.direction(locale),
      otherLocale: other,
      currentPath: req.originalUrl,
      currentUser: user ? { id: user.id, name: user.name, role: user.role, isAdmin: user.role === 'admin', isManager: user.role === 'manager' || user.role === 'admin', isTrainer: user.role === 'trainer' || user.role === 'admin' } : null,
      // Signed-in pages carry the logout and language forms, so they need a token; anonymous ones do not.
      layoutCsrfToken: user && req.session ? csrfToken(req) : undefined,
    });
    next();
  }
}
