/// <reference lib="dom" />
// The callbacks given to page.evaluate() run in the browser.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Locale } from '../../src/users/user.entity';
import { artifact, launchChromium, phoneContext } from './support/chromium';
import { courseFor } from './support/key-pages';
import { Account, createAccount, newAccount, Site, startSite } from './support/site';
import { lessonPaths, signIn, tr } from './support/ui';

jest.setTimeout(180_000);

/** Waits until the service worker has a copy of the page (it saves in the background). */
async function savedForOffline(page: Page, path: string): Promise<void> {
  await page.waitForFunction(async (p) => !!(await caches.match(p)), path, { timeout: 15_000 });
}

async function doneLessons(site: Site, context: BrowserContext, course: string, locale: Locale): Promise<number> {
  const page = await context.newPage();
  await page.goto(`${site.baseUrl}/courses/${course}`);
  const count = await page.locator('.modules').getByText(tr(locale, 'course.done'), { exact: true }).count();
  await page.close();
  return count;
}

describe.each<Locale>(['en', 'ur'])('reading lessons offline, in %s', (locale) => {
  const course = courseFor(locale);
  let site: Site;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let account: Account;
  let lessons: string[];
  let firstTitle: string;

  beforeAll(async () => {
    [site, browser] = await Promise.all([startSite(), launchChromium()]);
    account = newAccount(locale);
    await createAccount(site, account);
    context = await phoneContext(browser);
    page = await context.newPage();
    await signIn(page, site.baseUrl, account);
    await page.goto(`${site.baseUrl}/courses/${course}`);
    await Promise.all([page.waitForURL(/\/modules\//), page.getByRole('button', { name: tr(locale, 'course.enrol') }).click()]);
    await page.goto(`${site.baseUrl}/courses/${course}`);
    lessons = await lessonPaths(page, course);
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('keeps the lessons a learner opened and shows them without a connection', async () => {
    await page.goto(site.baseUrl + lessons[0]);
    firstTitle = (await page.locator('h1').textContent()) ?? '';
    await savedForOffline(page, lessons[0]);
    await page.goto(site.baseUrl + lessons[1]);
    await savedForOffline(page, lessons[1]);

    await context.setOffline(true);
    await page.goto(site.baseUrl + lessons[0]);
    await expect(page.locator('h1').textContent()).resolves.toBe(firstTitle);
    await expect(page.locator('.prose h2').count()).resolves.toBeGreaterThan(0);
    await expect(page.getByText(tr(locale, 'offline.banner')).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: artifact(`offline-lesson-${locale}.png`), scale: 'css' });

    // A lesson never opened cannot be there: the offline page says so, in both languages.
    await page.goto(site.baseUrl + lessons[2]);
    await expect(page.locator('h1').textContent()).resolves.toBe(tr(locale, 'offline.title'));
    await expect(page.locator('h2').textContent()).resolves.toBe(tr(locale === 'ur' ? 'en' : 'ur', 'offline.title'));
    await context.setOffline(false);
  });

  it('refuses to mark a lesson complete while offline, and says so next to the button', async () => {
    await page.goto(site.baseUrl + lessons[0]);
    await context.setOffline(true);
    await page.getByRole('button', { name: tr(locale, 'lesson.mark_complete') }).click();
    const alert = page.getByRole('alert');
    await expect(alert.textContent()).resolves.toBe(tr(locale, 'offline.not_saved'));
    await expect(alert.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    expect(new URL(page.url()).pathname).toBe(lessons[0]);
    await page.screenshot({ path: artifact(`offline-refused-${locale}.png`), scale: 'css' });
    await context.setOffline(false);
    await expect(doneLessons(site, context, course, locale)).resolves.toBe(0);
  });

  it('refuses it too when the phone thinks it is online but nothing gets through', async () => {
    await page.goto(site.baseUrl + lessons[0]);
    await context.setOffline(true);
    await page.evaluate(() => Object.defineProperty(navigator, 'onLine', { get: () => true }));
    await Promise.all([page.waitForURL((url) => url.pathname === lessons[0]), page.getByRole('button', { name: tr(locale, 'lesson.mark_complete') }).click()]);
    await page.getByRole('alert').waitFor();
    await expect(page.getByRole('alert').textContent()).resolves.toBe(tr(locale, 'offline.not_saved'));
    await context.setOffline(false);
    await expect(doneLessons(site, context, course, locale)).resolves.toBe(0);
  });

  it('marks it complete once the connection is back', async () => {
    await page.goto(site.baseUrl + lessons[0]);
    await Promise.all([page.waitForURL((url) => url.pathname === lessons[1]), page.getByRole('button', { name: tr(locale, 'lesson.mark_complete') }).click()]);
    await expect(doneLessons(site, context, course, locale)).resolves.toBe(1);
  });

  it('forgets the saved lessons when the learner signs out (phones are shared)', async () => {
    await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.getByRole('button', { name: tr(locale, 'nav.logout') }).click()]);
    await context.setOffline(true);
    await page.goto(site.baseUrl + lessons[0]);
    await expect(page.locator('h1').textContent()).resolves.toBe(tr(locale, 'offline.title'));
    await context.setOffline(false);
  });
});
