import { join } from 'node:path';
import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ROOT_DIR } from '../app.setup';
import { Public } from '../auth/roles.decorator';
import { I18nService } from '../i18n/i18n.service';
import type { Locale } from '../users/user.entity';

const SERVICE_WORKER = join(ROOT_DIR, 'public', 'sw.js');

/** Offline reading: the service worker script and the page it shows for what was never saved. */
@Controller()
export class OfflineController {
  constructor(private readonly i18n: I18nService) {}

  /**
   * Served from the root, not /static/, because a worker only controls pages under its own path.
   * Never cached long: browsers must see a new version on their next check.
   */
  @Public()
  @Get('sw.js')
  serviceWorker(@Res() res: Response) {
    res.sendFile(SERVICE_WORKER, { cacheControl: false, headers: { 'Cache-Control': 'no-cache' } });
  }

  /**
   * Cached once by the worker and then shown whatever the language is by then, so it carries both:
   * the language of the learner who installed it first, then the other.
   */
  @Public()
  @Get('offline')
  offlinePage(@Res() res: Response) {
    const first: Locale = res.locals.locale ?? 'en';
    const languages = [first, first === 'ur' ? 'en' : 'ur'].map((locale, index) => ({
      locale,
      dir: this.i18n.direction(locale as Locale),
      heading: index === 0 ? 'h1' : 'h2',
      title: this.i18n.translate(locale as Locale, 'offline.title'),
      text: this.i18n.translate(locale as Locale, 'offline.page_not_saved'),
      link: this.i18n.translate(locale as Locale, 'offline.my_learning'),
    }));
    res.render('offline/page', { layout: false, languages, first, dir: this.i18n.direction(first) });
  }
}
