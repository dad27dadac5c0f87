/// <reference lib="dom" />
// The callbacks given to page.evaluate() run in the browser.
import type { Browser, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import type { Locale } from '../../src/users/user.entity';
import { artifact, launchChromium, phoneContext } from './support/chromium';
import { axeViolations } from './support/checks';
import { createAccount, newAccount, Site, startSite } from './support/site';
import { signIn, tr } from './support/ui';
import { playing, publishVideoCourse } from './support/video-course';
import { phoneClipPath } from '../support/video-clip';

jest.setTimeout(300_000);

describe('a lesson video on a 390 px phone', () => {
  let site: Site;
  let browser: Browser;
  let lessonPath: string;
  let courseSlug: string;

  beforeAll(async () => {
    [site, browser] = await Promise.all([startSite(), launchChromium()]);
    const course = await publishVideoCourse(site, 'video.trainer@example.pk', ['Pricing in euros']);
    courseSlug = course.courseSlug;
    lessonPath = course.lessonPaths[0];
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  /** A new learner's account, signed in on `page`, enrolled through the course page, on the lesson. */
  async function enrolledOnLesson(page: Page, locale: Locale, course = courseSlug, lesson = lessonPath): Promise<void> {
    const account = newAccount(locale);
    await createAccount(site, account);
    await signIn(page, site.baseUrl, account);
    await page.goto(`${site.baseUrl}/courses/${course}`);
    await Promise.all([page.waitForURL((url) => url.pathname.includes('/modules/')), page.locator(`form[action="/courses/${course}/enrol"] button`).click()]);
    await page.goto(`${site.baseUrl}${lesson}`);
  }

  for (const locale of ['en', 'ur'] as Locale[]) {
    it(`${locale}: no axe violations, plays at 144p, switches captions, plays audio only`, async () => {
      const context = await phoneContext(browser, 390);
      const page = await context.newPage();
      const requested: string[] = [];
      page.on('request', (request) => requested.push(new URL(request.url()).pathname));
      await enrolledOnLesson(page, locale);
      expect(requested.filter((path) => /\.m3u8$|\.ts$|\.m4s$|hls-/.test(path))).toEqual([]);
      expect(await axeViolations(page)).toEqual([]);

      await page.selectOption('[data-quality]', '144p');
      await page.click('[data-play]');
      const at144 = await playing(page);
      expect(at144.height).toBe(144);
      // Native HLS where the browser has it; hls.js, from this site, only where it does not.
      const nativeHls = await page.evaluate(() => document.createElement('video').canPlayType('application/vnd.apple.mpegurl') !== '');
      expect(requested.some((path) => path.startsWith('/static/vendor/hls-'))).toBe(!nativeHls);
      expect(await page.evaluate(() => 'Hls' in window)).toBe(!nativeHls);

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

  it('a learner who leaves mid-video continues where they stopped, and can start from the beginning', async () => {
    const context = await phoneContext(browser, 390);
    const page = await context.newPage();
    await enrolledOnLesson(page, 'ur');
    await page.selectOption('[data-quality]', '144p');
    await page.click('[data-play]');
    expect(await page.locator('[data-resume]').isVisible()).toBe(false);
    await page.waitForFunction(() => (document.querySelector('video') as HTMLVideoElement).currentTime > 4.5, undefined, { timeout: 30_000 });
    const left = await page.evaluate(() => (document.querySelector('video') as HTMLVideoElement).currentTime);

    // Another page, then back (as after a dropped connection): the video goes on from there.
    await page.goto(`${site.baseUrl}/dashboard`);
    await page.goto(`${site.baseUrl}${lessonPath}`);
    await page.selectOption('[data-quality]', '144p');
    await page.click('[data-play]');
    await page.waitForFunction(() => (document.querySelector('video') as HTMLVideoElement).currentTime > 0.1, undefined, { timeout: 30_000 });
    // The first time it shows is where the learner left (minus what the last save missed), not the start.
    expect(await page.evaluate(() => (document.querySelector('video') as HTMLVideoElement).currentTime)).toBeGreaterThan(left - 2.5);
    const resumed = page.locator('[data-resume]');
    expect(await resumed.isVisible()).toBe(true);
    expect(await resumed.textContent()).toContain(tr('ur', 'video_player.resumed', { time: '0:0' }).split('0:0')[0]);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: tr('ur', 'video_player.restart') }).click();
    await page.waitForFunction(() => (document.querySelector('video') as HTMLVideoElement).currentTime < 2, undefined, { timeout: 10_000 });
    expect(await resumed.isVisible()).toBe(false);
    await page.waitForFunction(() => (document.querySelector('video') as HTMLVideoElement).currentTime > 4.5, undefined, { timeout: 30_000 });

    // Someone else signing in on the same phone starts at the beginning.
    await page.goto(`${site.baseUrl}/account`);
    await page.locator('form[action="/logout"] button').first().click();
    await page.waitForURL((url) => url.pathname !== '/account');
    await enrolledOnLesson(page, 'en');
    await page.selectOption('[data-quality]', '144p');
    await page.click('[data-play]');
    await page.waitForFunction(() => (document.querySelector('video') as HTMLVideoElement).currentTime > 0.1, undefined, { timeout: 30_000 });
    expect(await page.evaluate(() => (document.querySelector('video') as HTMLVideoElement).currentTime)).toBeLessThan(2);
    expect(await resumed.isVisible()).toBe(false);
    await context.close();
  });

  it('a time in the transcript plays the video from that line', async () => {
    const context = await phoneContext(browser, 390);
    const page = await context.newPage();
    await enrolledOnLesson(page, 'en');
    await page.locator('details.transcript summary').click();
    await page.locator('details.transcript section[lang="en"] button.at', { hasText: '0:05' }).click();
    await page.waitForFunction(() => {
      const video = document.querySelector('video');
      return !!video && !video.paused && video.currentTime >= 5;
    }, undefined, { timeout: 30_000 });
    expect(await page.evaluate(() => (document.querySelector('video') as HTMLVideoElement).currentTime)).toBeLessThan(9);
    // Once playing, another line moves the same video there.
    await page.locator('details.transcript section[lang="en"] button.at', { hasText: '0:00' }).click();
    await page.waitForFunction(() => (document.querySelector('video') as HTMLVideoElement).currentTime < 2, undefined, { timeout: 10_000 });
    expect(await page.locator('video').count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });

  it('without JavaScript the lesson offers the MP4 and M4A downloads', async () => {
    const context = await phoneContext(browser, 390, { javaScriptEnabled: false });
    const page = await context.newPage();
    await enrolledOnLesson(page, 'en');
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

  for (const locale of ['en', 'ur'] as Locale[]) {
    it(`${locale}: the trainer's video page has no axe violations; pressing Remove takes a caption language off the lesson`, async () => {
      const context = await phoneContext(browser, 390);
      const page = await context.newPage();
      const account = newAccount(locale);
      await createAccount(site, account, 'admin');
      await signIn(page, site.baseUrl, account);
      const lessonSlug = lessonPath.split('/').pop()!;
      const courseId = (await site.t.app.get(DataSource).query('SELECT id FROM courses WHERE slug = ?', [courseSlug]))[0].id as number;
      // Learners played this video in the tests above: the statistics page has its table.
      await page.goto(`${site.baseUrl}/author/videos/${courseId}/${lessonSlug}/watching`);
      expect(await page.locator('table.watching tbody tr').count()).toBe(10);
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: artifact(`video-watching-${locale}.png`), fullPage: true });

      await page.goto(`${site.baseUrl}/author/videos/${courseId}/${lessonSlug}`);
      expect(await page.locator('#video-status').textContent()).toContain(tr(locale, 'videos.duration', { seconds: 10 }));
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: artifact(`video-author-${locale}.png`), fullPage: true });

      // The English run removes the Urdu captions, the Urdu run the English ones.
      const gone = locale === 'en' ? 'ur' : 'en';
      const label = tr(locale, 'videos.captions_remove_label', { lang: tr(locale, `video_player.lang_${gone}`) });
      await Promise.all([page.waitForURL((url) => url.search.includes('done=captions_removed')), page.getByRole('button', { name: label }).click()]);
      expect(await page.getByRole('status').first().textContent()).toContain(tr(locale, 'videos.captions_removed'));
      expect(await page.getByRole('button', { name: label }).count()).toBe(0);
      expect(await axeViolations(page)).toEqual([]);
      await page.goto(`${site.baseUrl}${lessonPath}`);
      expect(await page.locator(`[data-captions] option[value="${gone}"]`).count()).toBe(0);
      await context.close();
    });
  }

  it('a portrait video shot on a phone gets a portrait frame at 390 px and plays 144 wide', async () => {
    const portrait = await publishVideoCourse(site, 'portrait.trainer@example.pk', ['Folding a towel'], { clip: phoneClipPath(), title: 'Towels filmed on a phone' });
    const context = await phoneContext(browser, 390);
    const page = await context.newPage();
    await enrolledOnLesson(page, 'en', portrait.courseSlug, portrait.lessonPaths[0]);
    const poster = (await page.locator('.video-poster').boundingBox())!;
    expect(poster.height).toBeGreaterThan(poster.width * 1.5);
    expect(poster.width).toBeLessThanOrEqual(390);
    await page.selectOption('[data-quality]', '144p');
    await page.click('[data-play]');
    await playing(page);
    expect(await page.evaluate(() => {
      const video = document.querySelector('video') as HTMLVideoElement;
      return { width: video.videoWidth, height: video.videoHeight };
    })).toEqual({ width: 144, height: 256 });
    const frame = (await page.locator('[data-frame] video').boundingBox())!;
    expect(frame.height).toBeGreaterThan(frame.width * 1.5);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: artifact('video-portrait-playing.png') });
    await context.close();
  });
});
