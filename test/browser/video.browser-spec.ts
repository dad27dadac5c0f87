/// <reference lib="dom" />
// The callbacks given to page.evaluate() run in the browser.
import { copyFileSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import type { Locale } from '../../src/users/user.entity';
import { Video } from '../../src/videos/entities/video.entity';
import { VideosService } from '../../src/videos/videos.service';
import { addLesson, createCourse, publish, saveLesson, signUp } from '../support/authoring';
import { waitFor } from '../support/certificates';
import { testClipPath } from '../support/video-clip';
import { artifact, launchChromium, phoneContext } from './support/chromium';
import { axeViolations } from './support/checks';
import { createAccount, newAccount, Site, startSite } from './support/site';
import { signIn } from './support/ui';

jest.setTimeout(300_000);

const EN_VTT = 'WEBVTT\n\n00:00.000 --> 00:05.000\nWelcome to pricing\n\n00:05.000 --> 00:10.000\nA CIF price includes freight\n';
const UR_VTT = 'WEBVTT\n\n00:00.000 --> 00:05.000\nقیمت لگانے میں خوش آمدید\n\n00:05.000 --> 00:10.000\nسی آئی ایف قیمت میں کرایہ شامل ہے\n';

describe('a lesson video on a 390 px phone', () => {
  let site: Site;
  let browser: Browser;
  let lessonPath: string;
  let courseSlug: string;

  beforeAll(async () => {
    [site, browser] = await Promise.all([startSite(), launchChromium()]);
    const t = site.t;
    const trainer = await signUp(t, 'video.trainer@example.pk', 'trainer');
    const courseId = await createCourse(trainer);
    const lessonSlug = await addLesson(trainer, courseId, 'Pricing in euros');
    await saveLesson(trainer, courseId, lessonSlug, { bodyMarkdown: 'Watch how a CIF price in euros is built.' });
    const file = join(mkdtempSync(join(tmpdir(), 'video-browser-')), 'clip.mp4');
    copyFileSync(testClipPath(), file);
    const trainerId = (await t.app.get(DataSource).query('SELECT id FROM users WHERE email = ?', ['video.trainer@example.pk']))[0].id as number;
    const videos = t.app.get(VideosService);
    const uploaded = await videos.uploadWhole(trainerId, courseId, lessonSlug, { path: file, size: statSync(file).size, filename: 'clip.mp4' });
    await waitFor('the transcode', async () => (await t.app.get(DataSource).getRepository(Video).findOneBy({ id: uploaded.id, status: 'ready' })) ?? null, 200_000, 500);
    await videos.addCaptions(courseId, lessonSlug, 'en', Buffer.from(EN_VTT));
    await videos.addCaptions(courseId, lessonSlug, 'ur', Buffer.from(UR_VTT));
    expect((await publish(trainer, courseId)).status).toBe(303);
    courseSlug = (await t.app.get(DataSource).query('SELECT slug FROM courses WHERE id = ?', [courseId]))[0].slug as string;
    lessonPath = `/courses/${courseSlug}/modules/${lessonSlug}`;
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  async function playing(page: Page): Promise<{ time: number; height: number }> {
    await page.waitForFunction(() => {
      const video = document.querySelector('video');
      return !!video && video.currentTime > 0.5;
    }, undefined, { timeout: 30_000 });
    return page.evaluate(() => {
      const video = document.querySelector('video') as HTMLVideoElement;
      return { time: video.currentTime, height: video.videoHeight };
    });
  }

  for (const locale of ['en', 'ur'] as Locale[]) {
    it(`${locale}: no axe violations, plays at 144p, switches captions, plays audio only`, async () => {
      const context = await phoneContext(browser, 390);
      const page = await context.newPage();
      const account = newAccount(locale);
      await createAccount(site, account);
      await signIn(page, site.baseUrl, account);
      await page.goto(`${site.baseUrl}/courses/${courseSlug}`);
      await Promise.all([page.waitForURL((url) => url.pathname.includes('/modules/')), page.locator(`form[action="/courses/${courseSlug}/enrol"] button`).click()]);
      const requested: string[] = [];
      page.on('request', (request) => requested.push(new URL(request.url()).pathname));
      await page.goto(`${site.baseUrl}${lessonPath}`);
      expect(requested.filter((path) => /\.m3u8$|\.ts$|\.m4s$|hls-/.test(path))).toEqual([]);
      expect(await axeViolations(page)).toEqual([]);

      await page.selectOption('[data-quality]', '144p');
      await page.click('[data-play]');
      const at144 = await playing(page);
      expect(at144.height).toBe(144);

      await page.selectOption('[data-captions]', 'ur');
      await page.waitForFunction(() => {
        const tracks = [...(document.querySelector('video') as HTMLVideoElement).textTracks];
        return tracks.some((track) => track.language === 'ur' && track.mode === 'showing') && tracks.every((track) => track.language === 'ur' || track.mode !== 'showing');
      });
      await page.selectOption('[data-captions]', 'en');
      await page.waitForFunction(() => [...(document.querySelector('video') as HTMLVideoElement).textTracks].some((track) => track.language === 'en' && track.mode === 'showing'));

      await page.selectOption('[data-quality]', 'audio');
      await page.waitForFunction(() => (document.querySelector('video') as HTMLVideoElement).videoHeight === 0, undefined, { timeout: 30_000 });
      const before = await page.evaluate(() => (document.querySelector('video') as HTMLVideoElement).currentTime);
      await page.waitForFunction((start) => (document.querySelector('video') as HTMLVideoElement).currentTime > start + 0.5, before, { timeout: 30_000 });
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: artifact(`video-${locale}-playing.png`) });
      await context.close();
    });
  }

  it('without JavaScript the lesson offers the MP4 and M4A downloads', async () => {
    const context = await phoneContext(browser, 390, { javaScriptEnabled: false });
    const page = await context.newPage();
    const account = newAccount('en');
    await createAccount(site, account);
    await signIn(page, site.baseUrl, account);
    await page.goto(`${site.baseUrl}/courses/${courseSlug}`);
    await Promise.all([page.waitForURL((url) => url.pathname.includes('/modules/')), page.locator(`form[action="/courses/${courseSlug}/enrol"] button`).click()]);
    await page.goto(`${site.baseUrl}${lessonPath}`);
    expect(await page.locator('[data-play]').isVisible()).toBe(false);
    for (const selector of ['a[href$=".mp4"]', 'a[href$=".m4a"]']) {
      const link = page.locator(selector);
      expect(await link.isVisible()).toBe(true);
      const response = await page.request.get(`${site.baseUrl}${await link.getAttribute('href')}`);
      expect(response.status()).toBe(200);
      expect((await response.body()).length).toBeGreaterThan(10_000);
    }
    await context.close();
  });
});
