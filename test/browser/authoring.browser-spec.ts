/// <reference lib="dom" />
// The callbacks given to page.evaluate() run in the browser.
import type { Browser, Page } from 'playwright-core';
import { addLesson, createCourse } from '../support/authoring';
import { Browser as HttpClient } from '../support/test-app';
import { artifact, launchChromium, phoneContext } from './support/chromium';
import { Account, createAccount, newAccount, Site, startSite } from './support/site';
import { signIn, tr } from './support/ui';

jest.setTimeout(180_000);

describe('the lesson editor in a real browser', () => {
  let site: Site;
  let browser: Browser;
  let page: Page;
  let editor: string;
  const errors: string[] = [];

  beforeAll(async () => {
    [site, browser] = await Promise.all([startSite(), launchChromium()]);
    const trainer: Account = newAccount('en', 'Farah Trainer');
    await createAccount(site, trainer, 'trainer');
    // The course and lesson are made over HTTP as the same trainer; the browser then edits the lesson.
    const http = new HttpClient(site.t.server);
    await http.login(trainer.email, trainer.password);
    const id = await createCourse(http, { title: 'Packing for sea freight', slug: 'packing-sea-freight' });
    editor = `/author/courses/${id}/lessons/${await addLesson(http, id, 'Cartons')}`;
    page = await (await phoneContext(browser)).newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    // The hostile <img src=x> below is meant to 404; any other console error is the script's.
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text());
    });
    await signIn(page, site.baseUrl, trainer);
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('previews the lesson as it is typed, with the learner page’s sanitizer, and saves nothing until asked', async () => {
    await page.goto(site.baseUrl + editor);
    const panel = page.locator('#preview-panel');
    expect(await panel.isHidden()).toBe(true);

    await page.locator('#f-body').fill('## Packing list\n\nFive-ply cartons, **two straps** each. <img src=x onerror="window.hacked=1">');
    await page.locator('#preview h2').filter({ hasText: 'Packing list' }).waitFor({ timeout: 10_000 });
    expect(await panel.isVisible()).toBe(true);
    expect(await page.locator('#preview strong').textContent()).toBe('two straps');
    expect(await page.locator('#f-body-stats').textContent()).toBe(tr('en', 'author.word_count', { words: 7, minutes: 1 }));
    // The picture's handler was stripped on the server, as on the learner page: it never ran.
    expect(await page.locator('#preview img').count()).toBe(1);
    expect(await page.locator('#preview img').getAttribute('onerror')).toBeNull();
    expect(await page.evaluate(() => (window as unknown as { hacked?: number }).hacked)).toBeUndefined();

    // A later edit replaces the preview; the text in the box is exactly what was typed.
    await page.locator('#f-body').fill('## Labels\n\nMark each carton.');
    await page.locator('#preview h2').filter({ hasText: 'Labels' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('#preview h2').count()).toBe(1);
    expect(await page.locator('#f-body').inputValue()).toBe('## Labels\n\nMark each carton.');
    await page.screenshot({ path: artifact('author-live-preview.png'), fullPage: true, scale: 'css' });

    // Nothing was saved by previewing: a fresh editor shows the empty lesson.
    await page.goto(site.baseUrl + editor);
    expect(await page.locator('#f-body').inputValue()).toBe('');
    expect(errors).toEqual([]);
  });
});
