import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { NestExpressApplication } from '@nestjs/platform-express';
import compression from 'compression';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import hbs from 'hbs';
import passport from 'passport';
import { DataSource } from 'typeorm';
import { TypeormSessionStore } from './auth/typeorm-session.store';
import { SharedCacheService } from './cache/shared-cache.service';
import { QUEUE_DASHBOARD_ROUTE } from './certificates/certificates.module';
import { minifiedScripts, staticAssets } from './common/static-assets';
import { AppConfig } from './config/app-config';
import { queryCountMiddleware } from './database/query-counter';
import { TransactionRunner } from './database/transaction-runner';
import { I18nService } from './i18n/i18n.service';
import { textDirection } from './i18n/text-direction';
import type { Locale } from './users/user.entity';

export const ROOT_DIR = join(__dirname, '..');
const VIEWS_DIR = join(ROOT_DIR, 'views');
const PUBLIC_DIR = join(ROOT_DIR, 'public');
const SESSION_MAX_AGE_MS = 14 * 24 * 60 * 60 * 1000;

/** Paths that never need a session: static files, the service worker, health checks stay cheap. */
const SESSIONLESS = /^\/(static\/|files\/lessons\/|media\/videos\/|health(\/|$)|sw\.js$|offline$)/;

function exceptStatic(handler: RequestHandler): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => (SESSIONLESS.test(req.path) ? next() : handler(req, res, next));
}

/** Pages for a signed-in user must not be kept by shared caches, nor shown from the browser cache unchecked. */
function privatePages(req: Request, res: Response, next: NextFunction): void {
  if (req.user && !res.getHeader('Cache-Control')) res.setHeader('Cache-Control', 'private, no-cache');
  next();
}

/**
 * Pages load scripts, styles and fonts from this site only, run no inline script and cannot be
 * framed, so injected markup that slipped past the sanitizer still could not run. Lesson pictures
 * may come from other https sites (Markdown allows them). Bull Board, admin only, brings its own
 * inline scripts and is left out.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data: https:",
  // Lesson videos: hls.js plays through MediaSource (blob: URLs); files come from /media/videos/.
  "media-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function securityHeaders(req: Request, res: Response, next: NextFunction): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'strict-origin-when-cross-origin');
  res.setHeader('X-Frame-Options', 'DENY');
  if (!req.path.startsWith(QUEUE_DASHBOARD_ROUTE)) res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  next();
}

function registerPartials(dir: string): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) registerPartials(path);
    else if (name.endsWith('.hbs')) {
      const partialName = relative(join(VIEWS_DIR, 'partials'), path).replace(/\.hbs$/, '');
      hbs.registerPartial(partialName, readFileSync(path, 'utf8'));
    }
  }
}

type HelperOptions = { hash: Record<string, unknown>; data: { root: { locale?: Locale } } };

function registerHelpers(i18n: I18nService, assets: Record<string, string>): void {
  const localeOf = (options: HelperOptions): Locale => options.data.root.locale ?? 'en';
  // An absent key (e.g. a field without an error) renders nothing rather than a placeholder.
  hbs.registerHelper('t', (key: string | undefined, options: HelperOptions) =>
    typeof key === 'string' && key ? i18n.translate(localeOf(options), key, options.hash) : '',
  );
  hbs.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).join(''));
  hbs.registerHelper('date', (value: Date | string, options: HelperOptions) => i18n.formatDate(localeOf(options), value));
  hbs.registerHelper('time', (value: Date | string, options: HelperOptions) => i18n.formatTime(localeOf(options), value));
  hbs.registerHelper('num', (value: number, options: HelperOptions) => i18n.formatNumber(localeOf(options), Number(value)));
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('textDir', (value: unknown) => textDirection(String(value ?? '')));
  hbs.registerHelper('subtract', (a: number, b: number) => Number(a) - Number(b));
  hbs.registerHelper('minutes', (seconds: number) => Math.ceil(Number(seconds) / 60));
  hbs.registerHelper('encode', (value: unknown) => encodeURIComponent(String(value ?? '')));
  hbs.registerHelper('asset', (name: string) => assets[name] ?? `/static/${name}`);
}

/** Handlebars with the layout, partials and helpers; shared with the benchmark's baseline server. */
export function configureViews(app: NestExpressApplication, i18n: I18nService, config: Pick<AppConfig, 'env'>): void {
  app.setBaseViewsDir(VIEWS_DIR);
  app.setViewEngine('hbs');
  app.set('view options', { layout: 'layouts/main' });
  app.set('view cache', config.env !== 'development' || process.env.VIEW_CACHE !== 'false');
  registerPartials(join(VIEWS_DIR, 'partials'));
  registerHelpers(i18n, staticAssets(PUBLIC_DIR).urls);
}

export function configureApp(app: NestExpressApplication, config: AppConfig): void {
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  // Counting needs an AsyncLocalStorage, whose promise hooks cost every request ~8% of CPU on
  // Node 20: only when the count is asked for (tests, and the benchmark's counting instance).
  if (config.queryCountHeader) app.use(queryCountMiddleware(config.env === 'test'));
  app.use(securityHeaders);
  app.use(compression());
  app.use('/static', minifiedScripts(staticAssets(PUBLIC_DIR)));
  app.useStaticAssets(PUBLIC_DIR, { prefix: '/static/', maxAge: '365d', immutable: true, index: false });
  app.useBodyParser('urlencoded', { extended: true, limit: '1mb' });

  const store = new TypeormSessionStore(app.get(DataSource), app.get(TransactionRunner), app.get(SharedCacheService));
  app.use(
    exceptStatic(
      session({
        name: 'er.sid',
        secret: config.sessionSecret,
        store,
        resave: false,
        saveUninitialized: false,
        rolling: false,
        cookie: { httpOnly: true, sameSite: 'lax', secure: config.cookieSecure, maxAge: SESSION_MAX_AGE_MS },
      }),
    ),
  );
  app.use(exceptStatic(passport.session()));
  app.use(privatePages);

  configureViews(app, app.get(I18nService), config);
  app.enableShutdownHooks();
}
