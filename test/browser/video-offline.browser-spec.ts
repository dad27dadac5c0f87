/// <reference lib="dom" />
// The callbacks given to page.evaluate() run in the browser.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import type { Locale } from '../../src/users/user.entity';
import { megabytes } from '../../src/videos/watch/player-view';
import { waitFor } from '../support/certificates';
import { artifact, launchChromium, phoneContext } from './support/chromium';
import { axeViolations } from './support/checks';
import { Account, createAccount, newAccount, Site, startSite } from './support/site';
import { signIn, tr } from './support/ui';
import { playing, publishVideoCourse, VideoCourse } from './support/video-course';

jest.setTimeout(300_000);

const VIDEO_CACHE = 'er-videos-v1';

/** Paths of the files the service worker keeps for saved videos. */
function savedFiles(page: Page): Promise<string[]> {
  return page.evaluate(async (name) => {
    if (!(await caches.has(name))) return [];
    const keys = await (await caches.open(name)).keys();
    return keys.map((request) => new URL(request.url).pathname);
  }, VIDEO_CACHE);
}

async function offlineStatus(page: Page): Promise<string> {
  return ((await page.locator('[data-offline-status]').textContent()) ?? '').trim();
}

describe.each<Locale>(['en', 'ur'])('saving a lesson video for offline watching, in %s', (locale) => {
  let site: Site;
  let browser: Browser;
  let course: VideoCourse;
  let context: BrowserContext;
  let page: Page;
  let account: Account;

  beforeAll(async () => {
    [site, browser] = await Promise.all([startSite(), launchChromium()]);
    course = await publishVideoCourse(site, `offline.trainer.${locale}@example.pk`, ['Packing a carton', 'Pricing in euros']);
    account = newAccount(locale);
    await createAccount(site, account);
    context = await phoneContext(browser, 390);
    page = await context.newPage();
    await signIn(page, site.baseUrl, account);
    await page.goto(`${site.baseUrl}/courses/${course.courseSlug}`);
    await Promise.all([page.waitForURL((url) => url.pathname.includes('/modules/')), page.locator(`form[action="/courses/${course.courseSlug}/enrol"] button`).click()]);
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  /** The learner's recorded watching of a lesson, as the server holds it. */
  async function watched(lessonPath: string): Promise<{ watched_percent: number; ranges: string } | undefined> {
    const rows = await site.t.app.get(DataSource).query(
      `SELECT w.watched_percent, w.ranges FROM video_watches w
         JOIN enrollments e ON e.id = w.enrollment_id JOIN users u ON u.id = e.user_id JOIN course_modules m ON m.id = w.module_id
        WHERE u.email = ? AND m.slug = ?`,
      [account.email, lessonPath.split('/').pop()],
    );
    return rows[0];
  }

  it('refuses to save without a connection and keeps nothing', async () => {
    await page.goto(site.baseUrl + course.lessonPaths[0]);
    const save = page.locator('[data-offline-save]');
    await save.waitFor();
    const bytes = Number(await page.locator('[data-offline]').getAttribute('data-bytes'));
    expect(bytes).toBeGreaterThan(10_000);
    expect((await save.textContent())?.trim()).toBe(tr(locale, 'video_player.offline_save', { quality: '144p', mb: megabytes(bytes) }));
    await context.setOffline(true);
    await save.click();
    await page.waitForFunction(() => !(document.querySelector('[data-offline-save]') as HTMLButtonElement).disabled);
    expect(await offlineStatus(page)).toBe(tr(locale, 'video_player.offline_failed'));
    await context.setOffline(false);
    expect((await savedFiles(page)).filter((path) => path.startsWith('/media/'))).toEqual([]);
  });

  it('saves the lowest quality with poster and captions, and plays it with no connection', async () => {
    await page.goto(site.baseUrl + course.lessonPaths[0]);
    await page.locator('[data-offline-save]').click();
    await page.locator('[data-offline-remove]').waitFor();
    expect(await offlineStatus(page)).toBe(tr(locale, 'video_player.offline_saved'));
    const files = await savedFiles(page);
    expect(files.filter((path) => path.endsWith('-144p.m3u8'))).toHaveLength(1);
    expect(files.filter((path) => path.endsWith('-144p-init.mp4'))).toHaveLength(1);
    expect(files.filter((path) => /-144p-\d+\.m4s$/.test(path)).length).toBeGreaterThan(0);
    expect(files.filter((path) => path.endsWith('.vtt'))).toHaveLength(2);
    expect(files.filter((path) => path.endsWith('-poster.jpg'))).toHaveLength(1);
    expect(files.filter((path) => /-(240p|360p|480p|audio)[-.]/.test(path))).toEqual([]);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: artifact(`video-offline-saved-${locale}.png`) });

    await context.setOffline(true);
    await page.goto(site.baseUrl + course.lessonPaths[0]);
    await page.locator('[data-offline-remove]').waitFor();
    expect(await page.locator('[data-quality]').inputValue()).toBe('144p');
    // Range requests (a media element's partial reads) are answered from the saved copy too.
    const segment = files.find((path) => path.endsWith('-144p-init.mp4'))!;
    const whole = await page.evaluate(async (path) => (await (await fetch(path)).arrayBuffer()).byteLength, segment);
    const part = await page.evaluate(async (path) => {
      const response = await fetch(path, { headers: { Range: 'bytes=10-19' } });
      return { status: response.status, length: (await response.arrayBuffer()).byteLength, range: response.headers.get('content-range') };
    }, segment);
    expect(part).toEqual({ status: 206, length: 10, range: `bytes 10-19/${whole}` });
    await page.click('[data-play]');
    expect((await playing(page)).height).toBe(144);
    await page.selectOption('[data-captions]', 'ur');
    await page.waitForFunction(() => {
      const track = [...(document.querySelector('video') as HTMLVideoElement).textTracks].find((t) => t.language === 'ur');
      return !!track && track.mode === 'showing' && (track.cues?.length ?? 0) === 2;
    });
    await page.waitForFunction(() => (document.querySelector('video') as HTMLVideoElement).currentTime > 2.5, undefined, { timeout: 30_000 });
    await page.evaluate(() => (document.querySelector('video') as HTMLVideoElement).pause());
    await page.screenshot({ path: artifact(`video-offline-playing-${locale}.png`) });
    // The report of what was watched could not be sent: it waits on the phone.
    await page.waitForFunction(() => Object.keys(localStorage).some((key) => key.startsWith('er-watch:')));
    expect((await watched(course.lessonPaths[0]))?.watched_percent ?? 0).toBe(0);
  });

  it('reports what was watched offline once the connection is back', async () => {
    await context.setOffline(false);
    const row = await waitFor('the offline watching to reach the server', async () => {
      const found = await watched(course.lessonPaths[0]);
      return found && found.watched_percent >= 20 ? found : null;
    }, 20_000, 250);
    expect(row.watched_percent).toBeLessThanOrEqual(40);
    await page.waitForFunction(() => !Object.keys(localStorage).some((key) => key.startsWith('er-watch:')));
  });

  it('refuses a video that does not fit the room left, naming the saved ones to remove', async () => {
    await page.goto(site.baseUrl + course.lessonPaths[1]);
    const box = page.locator('[data-offline]');
    await page.locator('[data-offline-save]').waitFor();
    const firstBytes = await page.evaluate(async () => {
      const index = await (await caches.open('er-videos-v1')).match('/offline/saved-videos.json');
      return ((await index!.json()) as { bytes: number }[])[0].bytes;
    });
    // This phone's budget as if only the first video and a few bytes more fitted (the test clip is far below a real budget).
    await box.evaluate((el, budget) => ((el as HTMLElement).dataset.budget = String(budget)), firstBytes + 1000);
    await page.locator('[data-offline-save]').click();
    await page.waitForFunction(() => !!document.querySelector('[data-offline-status] a'));
    expect(await offlineStatus(page)).toContain(tr(locale, 'video_player.offline_full', { budget: 'X', used: 'Y', need: 'Z' }).split('X')[0]);
    expect(await page.locator('[data-offline-status] a').getAttribute('href')).toBe(course.lessonPaths[0]);
    expect((await savedFiles(page)).filter((path) => path.endsWith('.m3u8'))).toHaveLength(1);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('removes a saved video from the phone, and then the other one fits', async () => {
    await page.goto(site.baseUrl + course.lessonPaths[0]);
    await page.locator('[data-offline-remove]').click();
    await page.locator('[data-offline-save]').waitFor();
    expect(await offlineStatus(page)).toBe(tr(locale, 'video_player.offline_removed'));
    expect((await savedFiles(page)).filter((path) => path.startsWith('/media/'))).toEqual([]);

    await page.goto(site.baseUrl + course.lessonPaths[1]);
    await page.locator('[data-offline-save]').click();
    await page.locator('[data-offline-remove]').waitFor();
    expect((await savedFiles(page)).filter((path) => path.endsWith('.m3u8'))).toHaveLength(1);
  });

  it('forgets saved videos when the learner signs out (phones are shared)', async () => {
    await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.getByRole('button', { name: tr(locale, 'nav.logout') }).click()]);
    await page.waitForFunction(async (name) => !(await caches.has(name)) || (await (await caches.open(name)).keys()).length === 0, VIDEO_CACHE);
    await context.close();
  });
});
