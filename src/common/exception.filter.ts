import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { I18nService } from '../i18n/i18n.service';
import type { Locale } from '../users/user.entity';
import { DomainError, ErrorCode, FormInvalidError } from './domain-error';

interface Problem {
  status: number;
  messageKey: string;
  /** Fill the message, and go into a JSON answer as they are (an upload's `received`, for one). */
  params?: Record<string, string | number>;
  fields?: Record<string, string>;
}

function statusFor(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.NotFound:
      return 404;
    case ErrorCode.Forbidden:
      return 403;
    case ErrorCode.Unauthenticated:
      return 401;
    case ErrorCode.Invalid:
      return 400;
    case ErrorCode.Conflict:
      return 409;
    case ErrorCode.Throttled:
      return 429;
  }
}

const HTTP_MESSAGE_KEYS: Record<number, string> = {
  400: 'errors.bad_request',
  401: 'errors.sign_in_required',
  403: 'errors.forbidden',
  404: 'errors.not_found',
  413: 'errors.too_large',
  429: 'errors.throttled',
};

/**
 * The one place errors become responses: a page in the layout for browsers, JSON for API
 * clients. Unexpected errors are logged and shown as a plain 500, never with internals.
 */
@Catch()
export class AppExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(private readonly i18n: I18nService) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    const problem = this.describe(exception);
    if (res.headersSent) return;

    if (problem.status === 401 && req.method === 'GET' && req.accepts(['html', 'json']) === 'html') {
      return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    }
    const locale: Locale = res.locals.locale ?? 'en';
    const message = this.i18n.translate(locale, problem.messageKey, problem.params);
    res.status(problem.status);
    if (req.accepts(['html', 'json']) === 'json') {
      res.json({ ...problem.params, statusCode: problem.status, error: problem.messageKey, message, ...(problem.fields ? { fields: problem.fields } : {}) });
      return;
    }
    res.render('errors/error', { status: problem.status, message, title: this.i18n.translate(locale, `errors.title_${problem.status}`) });
  }

  private describe(exception: unknown): Problem {
    if (exception instanceof FormInvalidError) return { status: 400, messageKey: 'errors.form_invalid', fields: exception.fields };
    if (exception instanceof DomainError) return { status: statusFor(exception.code), messageKey: exception.messageKey, params: exception.params };
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return { status, messageKey: HTTP_MESSAGE_KEYS[status] ?? (status >= 500 ? 'errors.server' : 'errors.bad_request') };
    }
    // Body parsers throw http-errors objects (too large, malformed) with a status.
    const status = Number((exception as { status?: number })?.status);
    if (status >= 400 && status < 500) return { status, messageKey: HTTP_MESSAGE_KEYS[status] ?? 'errors.bad_request' };
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    return { status: 500, messageKey: 'errors.server' };
  }
}
