/// <reference lib="dom" />
// The callbacks given to page.evaluate() run in the browser.
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { addLesson, createCourse } from '../support/authoring';
import { Browser as HttpClient } from '../support/test-app';
import { artifact, launchChromium, phoneContext } from './support/chromium';
import { horizontalOverflow } from './support/checks';
import { Account, createAccount, newAccount, Site, startSite } from './support/site';
import { signIn, tr } from './support/ui';
import type { Locale } from '../../src/users/user.entity';

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

const COURSES = {
  en: {
    title: 'Quoting CIF to Hamburg',
    summary: 'Work out a CIF price for a container of towels and quote it in euros.',
    slug: 'quoting-cif-hamburg',
    outcome: 'Quote a CIF price in euros',
    lesson: 'Freight and insurance',
    text: '## Freight\n\nAsk two forwarders for a rate to Hamburg.',
    alt: 'A container at Karachi port',
    quiz: 'Final check',
  },
  ur: {
    title: 'ہیمبرگ کے لیے CIF قیمت',
    summary: 'تولیوں کے ایک کنٹینر کی CIF قیمت نکالیں اور یورو میں بتائیں۔',
    slug: 'cif-hamburg-ur',
    outcome: 'یورو میں CIF قیمت بتانا',
    lesson: 'کرایہ اور بیمہ',
    text: '## کرایہ\n\nہیمبرگ کے کرائے کے لیے دو فارورڈرز سے پوچھیں۔',
    alt: 'کراچی بندرگاہ پر ایک کنٹینر',
    quiz: 'آخری جانچ',
  },
} as const;

describe.each<Locale>(['en', 'ur'])('a trainer building a course in a real browser, in %s', (locale) => {
  let site: Site;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    [site, browser] = await Promise.all([startSite(), launchChromium()]);
    const trainer: Account = newAccount(locale, locale === 'ur' ? 'فرح ٹرینر' : 'Farah Trainer');
    await createAccount(site, trainer, 'trainer');
    page = await (await phoneContext(browser)).newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    await signIn(page, site.baseUrl, trainer);
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('builds a course on a phone as a trainer would: settings, a lesson with a photo, a cover, a GIFT quiz, publish', async () => {
    const course = COURSES[locale];
    const label = (key: string) => page.getByLabel(tr(locale, key), { exact: true });
    const button = (key: string) => page.getByRole('button', { name: tr(locale, key), exact: true });
    const photo = await sharp({ create: { width: 1800, height: 1200, channels: 3, background: '#a0522d', noise: { type: 'gaussian', mean: 120, sigma: 20 } } })
      .jpeg({ quality: 90 })
      .toBuffer();

    await page.goto(`${site.baseUrl}/author/courses/new`);
    await label('author.settings.title').fill(course.title);
    await label('author.settings.summary').fill(course.summary);
    if (locale === 'ur') await page.locator('#f-language').selectOption('ur');
    // An Urdu title has no Latin letters to make the address from: the trainer names it.
    await label('author.settings.slug').fill(course.slug);
    await label('author.settings.hours').fill('1.5');
    await label('author.settings.outcomes').fill(course.outcome);
    await Promise.all([page.waitForURL(/\/author\/courses\/\d+$/), button('author.create').click()]);
    const courseUrl = page.url();

    await label('author.lesson_title').fill(course.lesson);
    await page.locator('#new-lesson-slug').fill('freight-and-insurance');
    await Promise.all([page.waitForURL(/\/lessons\/freight-and-insurance$/), button('author.add_lesson').click()]);
    await label('author.minutes').fill('10');
    await label('author.lesson_text').fill(course.text);
    await page.locator('#f-image').setInputFiles({ name: 'container.jpg', mimeType: 'image/jpeg', buffer: photo });
    await label('author.image_alt').fill(course.alt);
    await button('author.upload_image').click();
    await page.getByText(tr(locale, 'author.image_added')).waitFor();
    const typed = await page.locator('#f-body').inputValue();
    expect(typed.startsWith(`${course.text}\n\n![${course.alt}](/files/lessons/`)).toBe(true);
    expect(typed).toMatch(/\/files\/lessons\/[0-9a-f]{32}-960x640\.webp\)\n?$/);
    // The notice's long picture address wraps: nothing makes the phone scroll sideways.
    expect((await horizontalOverflow(page)).outside).toEqual([]);
    await button('author.save_lesson').click();
    await page.getByText(tr(locale, 'author.lesson_saved')).waitFor();
    await page.screenshot({ path: artifact(`author-lesson-${locale}.png`), fullPage: true, scale: 'css' });

    await page.goto(`${courseUrl}/settings`);
    await page.locator('#f-cover').setInputFiles({ name: 'cover.jpg', mimeType: 'image/jpeg', buffer: photo });
    await button('author.cover.upload').click();
    await page.getByText(tr(locale, 'author.done.cover_set')).waitFor();
    await page.screenshot({ path: artifact(`author-settings-${locale}.png`), fullPage: true, scale: 'css' });

    await page.goto(courseUrl);
    await label('author.quiz.title').fill(course.quiz);
    // The final assessment takes the slug `final`, as in the content/ format.
    await Promise.all([page.waitForURL(/\/quizzes\/final$/), button('author.add_quiz').click()]);
    await label('author.gift_paste').fill('::incoterm:: Who pays the sea freight under CIF? {=The seller ~The buyer}\n\n::currency:: Quote a German buyer in euros. {TRUE}\n');
    await button('author.gift_import').click();
    await page.getByText(tr(locale, 'author.done.gift_imported')).waitFor();

    await page.goto(courseUrl);
    await button('author.publish').click();
    await page.getByText(tr(locale, 'author.done.published')).waitFor();
    expect(await page.getByText(tr(locale, 'author.up_to_date')).count()).toBe(1);
    // Nothing on the course page (long e-mail addresses included) makes a phone scroll sideways.
    const overflow = await horizontalOverflow(page);
    expect(overflow.outside).toEqual([]);
    expect(overflow.scrollWidth).toBeLessThanOrEqual(overflow.viewportWidth);
    await page.screenshot({ path: artifact(`author-published-${locale}.png`), fullPage: true, scale: 'css' });

    // The catalog card carries the cover and the lesson shows the photo, resized, at its size.
    await page.goto(`${site.baseUrl}/courses`);
    const cover = page.locator('.card .cover').first();
    await cover.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => Array.from(document.querySelectorAll<HTMLImageElement>('.card .cover')).some((img) => img.complete && img.naturalWidth === 640));
    expect(await cover.getAttribute('height')).toBe('360');
    await page.goto(`${courseUrl}/preview/lessons/freight-and-insurance`);
    const img = page.locator('.prose img');
    await img.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => {
      const picture = document.querySelector<HTMLImageElement>('.prose img');
      return !!picture && picture.complete && picture.naturalWidth === 960;
    });
    expect(await img.getAttribute('alt')).toBe(course.alt);
    await page.screenshot({ path: artifact(`author-preview-lesson-${locale}.png`), fullPage: true, scale: 'css' });
    expect(errors).toEqual([]);
  });
});
