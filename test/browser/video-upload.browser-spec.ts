/// <reference lib="dom" />
// The callbacks given to page.evaluate() run in the browser.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { DataSource } from 'typeorm';
import type { Locale } from '../../src/users/user.entity';
import { FILE_STORAGE, FileStorage } from '../../src/storage/file-storage';
import { Video } from '../../src/videos/entities/video.entity';
import { addLesson, createCourse } from '../support/authoring';
import { waitFor } from '../support/certificates';
import { Browser as HttpClient } from '../support/test-app';
import { testClipPath } from '../support/video-clip';
import { artifact, launchChromium, phoneContext } from './support/chromium';
import { axeViolations } from './support/checks';
import { createAccount, newAccount, Site, startSite } from './support/site';
import { signIn, tr } from './support/ui';

jest.setTimeout(300_000);

/** A trainer uploads a lesson video from a phone with the page's script: in chunks, resumed when the line drops. */
describe('uploading a lesson video on a 390 px phone', () => {
  let site: Site;
  let browser: Browser;

  beforeAll(async () => {
    [site, browser] = await Promise.all([startSite(), launchChromium()]);
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  for (const locale of ['en', 'ur'] as Locale[]) {
    it(`${locale}: a dropped connection is survived: the upload resumes, and the stored file is the trainer's to the byte`, async () => {
      const trainer = newAccount(locale, locale === 'ur' ? 'فرح ٹرینر' : 'Farah Trainer');
      await createAccount(site, trainer, 'trainer');
      const http = new HttpClient(site.t.server);
      await http.login(trainer.email, trainer.password);
      const courseId = await createCourse(http, { title: `Cartons on video ${locale}` });
      const lesson = await addLesson(http, courseId, 'Packing a carton');
      const context = await phoneContext(browser, 390);
      const page = await context.newPage();
      await signIn(page, site.baseUrl, trainer);
      await page.goto(`${site.baseUrl}/author/videos/${courseId}/${lesson}`);
      expect(await axeViolations(page)).toEqual([]);

      // The line drops on the first chunk (the request never reaches the server).
      let dropped = 0;
      await page.route('**/author/videos/uploads/*?offset=*', async (route) => {
        if (route.request().method() === 'PUT' && dropped === 0) {
          dropped += 1;
          await route.abort('internetdisconnected');
        } else await route.continue();
      });
      await page.setInputFiles('#f-video', testClipPath());
      await page.getByRole('button', { name: tr(locale, 'videos.upload') }).click();
      await page.waitForFunction((text) => document.getElementById('video-upload-progress')?.textContent === text, tr(locale, 'videos.upload_retrying'));
      expect(dropped).toBe(1);
      // Once everything is in, the page reloads and follows the transcode.
      await page.waitForSelector('#video-status', { timeout: 60_000 });
      await page.screenshot({ path: artifact(`video-upload-${locale}.png`), fullPage: true });

      const db = site.t.app.get(DataSource);
      const video = await waitFor('the transcode', async () => {
        const row = await db.getRepository(Video).findOne({ where: { courseId }, order: { id: 'DESC' } });
        if (row?.status === 'failed') throw new Error(`transcode failed: ${row.error}`);
        return row?.status === 'ready' ? row : null;
      }, 150_000, 500);
      const stored = await site.t.app.get<FileStorage>(FILE_STORAGE).get(`videos/${video.id}/original`);
      const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
      expect(sha(stored!)).toBe(sha(readFileSync(testClipPath())));
      // The page reloads itself every 5 s while the video is processed, until it shows it ready.
      await page.waitForSelector('#video-status[data-status="ready"]', { timeout: 30_000 });
      await page.waitForLoadState('load');
      expect(await page.locator('meta[http-equiv="refresh"]').count()).toBe(0);
      expect(await axeViolations(page)).toEqual([]);
      await context.close();
    });
  }
});
