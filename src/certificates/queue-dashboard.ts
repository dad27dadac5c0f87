import { ExpressAdapter } from '@bull-board/express';
import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { csrfToken, csrfTokenMatches } from '../auth/csrf';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { I18nService } from '../i18n/i18n.service';
import type { Locale } from '../users/user.entity';

export const QUEUE_DASHBOARD_ROUTE = '/admin/queues';

/**
 * Bull Board's page talks to its API with axios, which copies an `XSRF-TOKEN` cookie into an
 * `X-XSRF-TOKEN` header on same-origin requests. The page therefore gets the session's CSRF
 * token in that cookie (readable by script, limited to the dashboard's path, SameSite=Strict)
 * and the API accepts a state-changing call only with that token in the header: a page on
 * another site can neither read the token nor send a custom header without a CORS preflight,
 * which this site never grants.
 */
export const DASHBOARD_TOKEN_COOKIE = 'XSRF-TOKEN';
const DASHBOARD_TOKEN_HEADER = 'x-xsrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

@Injectable()
export class QueueDashboardCsrfMiddleware implements NestMiddleware {
  constructor(
    private readonly i18n: I18nService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const api = req.originalUrl.startsWith(`${QUEUE_DASHBOARD_ROUTE}/api/`);
    if (SAFE_METHODS.has(req.method)) {
      if (!api && req.session) {
        res.cookie(DASHBOARD_TOKEN_COOKIE, csrfToken(req), { path: QUEUE_DASHBOARD_ROUTE, sameSite: 'strict', secure: this.config.cookieSecure, httpOnly: false });
      }
      return next();
    }
    // The header only: a form can put a field in its body, never a header.
    if (csrfTokenMatches(req, req.headers[DASHBOARD_TOKEN_HEADER])) return next();
    const locale: Locale = res.locals.locale ?? 'en';
    const message = this.i18n.translate(locale, 'errors.csrf');
    res.status(403);
    if (api || req.accepts(['html', 'json']) === 'json') {
      res.json({ statusCode: 403, error: 'errors.csrf', message });
      return;
    }
    res.render('errors/error', { status: 403, title: this.i18n.translate(locale, 'errors.title_403'), message });
  }
}

/** Bull Board's Express app, without the `X-Powered-By` header it would add to every response. */
export class QueueDashboardAdapter extends ExpressAdapter {
  constructor() {
    super();
    this.getRouter().disable('x-powered-by');
  }
}
