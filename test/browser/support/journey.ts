/// <reference lib="dom" />
// The callbacks given to page.evaluate() run in the browser.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import type { Locale } from '../../../src/users/user.entity';
import { waitFor } from '../../support/certificates';
import { horizontalOverflow } from './checks';
import { artifact, phoneContext } from './chromium';
import type { Account, Site } from './site';
import { lessonPaths, tr } from './ui';
import { DataSource } from 'typeorm';
import { DrawnQuestion, QuizAttempt } from '../../../src/quizzes/entities/quiz-attempt.entity';
import { QuizQuestion } from '../../../src/quizzes/entities/quiz-question.entity';
import { correctResponse } from '../../../src/quizzes/grading/grade-question';
import type { QuestionResponse } from '../../../src/quizzes/question.types';

/** Gives an answer the way a person would: ticking, choosing or typing in the question's form. */
async function answerInPage(page: Page, response: QuestionResponse, drawn: DrawnQuestion): Promise<void> {
  const shown = (canonical: number) => String(drawn.options ? drawn.options.indexOf(canonical) : canonical);
  switch (response.type) {
    case 'single':
      if (response.option !== null) await page.locator(`input[name="answer"][value="${shown(response.option)}"]`).check();
      return;
    case 'missingword':
      if (response.option !== null) await page.locator('#gap').selectOption(shown(response.option));
      return;
    case 'multiple':
      for (const option of response.options) await page.locator(`input[name="answer[]"][value="${shown(option)}"]`).check();
      return;
    case 'truefalse':
      await page.locator(`input[name="answer"][value="${String(response.value)}"]`).check();
      return;
    case 'matching':
      for (const [index, right] of response.rights.entries()) if (right) await page.locator(`#m-${index}`).selectOption({ label: right });
      return;
    case 'essay':
      await page.locator('#essay').fill(response.text);
      return;
    default:
      await page.locator('#typed').fill(response.text);
  }
}

/**
 * The learner journey as an ordered list of steps that share one phone-sized page.
 * Later features append their steps to LEARNER_JOURNEY (quiz → certificate → public
 * verification); each step reads and leaves what it needs in `ctx.state`.
 */
export interface JourneyContext {
  site: Site;
  page: Page;
  locale: Locale;
  course: string;
  account: Account;
  /** Values a step hands to the next ones (e.g. a certificate serial for the verify step). */
  state: Record<string, unknown>;
  /** Saves a full-page screenshot as test-artifacts/browser/journey-<locale>-<name>.png. */
  shot(name: string): Promise<void>;
}

export interface JourneyStep {
  name: string;
  run(ctx: JourneyContext): Promise<void>;
}

export interface JourneyRoute {
  locale: Locale;
  course: string;
}

export const JOURNEY_ROUTES: JourneyRoute[] = [
  { locale: 'en', course: 'alibaba-first-30-days' },
  { locale: 'ur', course: 'alibaba-first-30-days-ur' },
];

export function screenshotTaker(page: Page, locale: Locale) {
  return async (name: string) => {
    await page.screenshot({ path: artifact(`journey-${locale}-${name}.png`), fullPage: true, scale: 'css' });
  };
}

export async function expectDocumentLanguage(page: Page, locale: Locale): Promise<void> {
  const actual = await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir]);
  expect(actual).toEqual([locale, locale === 'ur' ? 'rtl' : 'ltr']);
}

/** "You completed this course on {date}." with any date. */
export function completionPattern(locale: Locale): RegExp {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const [before, after] = tr(locale, 'course.completed_on', { date: '\u0000' }).split('\u0000');
  return new RegExp(`${escape(before)}.+${escape(after)}`);
}

/** Clicks and waits for the navigation it starts to reach a URL that passes `until`. */
export async function clickAndWait(page: Page, click: () => Promise<void>, until: (url: URL) => boolean): Promise<void> {
  await Promise.all([page.waitForURL(until), click()]);
}

/** Reloads the page, as a person waiting for something would, until `ready` finds it (bounded). */
export async function reloadUntil<T>(page: Page, what: string, ready: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  return waitFor(
    what,
    async () => {
      await page.reload();
      return ready();
    },
    timeoutMs,
    1000,
  );
}

/** The learner's certificate card on the dashboard for a course, once issued (it then has a PDF link). */
function issuedCertificateCard(page: Page, courseTitle: string): Locator {
  return page.locator('.my-certificates .card', { has: page.locator('h3', { hasText: courseTitle }) }).filter({ has: page.locator('a[href$=".pdf"]') });
}

/** A fact of the verification page as shown: its text, and the direction it is laid out in. */
interface ShownFact {
  text: string;
  direction: string;
}

/**
 * The term → value pairs of the verification page's facts list. The direction is that of the
 * innermost element holding the whole value: a name or title in the other script must keep its own.
 */
async function certificateFacts(page: Page): Promise<Record<string, ShownFact>> {
  return page.locator('dl.certificate-facts').evaluate((list) => {
    const facts: Record<string, ShownFact> = {};
    for (const term of list.querySelectorAll('dt')) {
      const value = term.nextElementSibling;
      if (value?.tagName !== 'DD') continue;
      const text = (value.textContent ?? '').trim();
      const holders = [value, ...value.querySelectorAll('*')].filter((el) => (el.textContent ?? '').trim() === text);
      facts[(term.textContent ?? '').trim()] = { text, direction: getComputedStyle(holders[holders.length - 1]).direction };
    }
    return facts;
  });
}

/** The way a text is laid out on its own: by the script of its first letter (Arabic script reads right to left). */
function directionOf(text: string): 'rtl' | 'ltr' {
  return /^[^\p{L}]*\p{Script=Arabic}/u.test(text) ? 'rtl' : 'ltr';
}

export interface IssuedCertificate {
  serial: string;
  holder: string;
  courseTitle: string;
  /** The course's language, which its title is written in. */
  courseLanguage: Locale;
}

/**
 * What a buyer must be able to read on /verify/<serial>: the page in the reader's language,
 * the certificate valid, and whom and what it certifies; all of it within a phone's width.
 */
export async function expectValidVerificationPage(page: Page, locale: Locale, certificate: IssuedCertificate): Promise<void> {
  expect(new URL(page.url()).pathname).toBe(`/verify/${certificate.serial}`);
  await expectDocumentLanguage(page, locale);
  await expect(page.locator('h1').textContent()).resolves.toBe(tr(locale, 'certificates.verify.title'));
  await expect(page.locator('.meta strong').textContent()).resolves.toBe(certificate.serial);
  await expect(page.getByRole('status').getByRole('heading', { name: tr(locale, 'certificates.verify.valid_title') }).isVisible()).resolves.toBe(true);
  const facts = await certificateFacts(page);
  expect(facts[tr(locale, 'certificates.verify.holder')]).toEqual({ text: certificate.holder, direction: directionOf(certificate.holder) });
  // An Urdu title that starts with a Latin word ("Alibaba.com پر …") is still Urdu: right to left, on any page.
  expect(facts[tr(locale, 'certificates.verify.course')]).toEqual({ text: certificate.courseTitle, direction: certificate.courseLanguage === 'ur' ? 'rtl' : 'ltr' });
  expect(facts[tr(locale, 'certificates.verify.signature')]?.text).toBe(tr(locale, 'certificates.verify.signature_ok'));
  const overflow = await horizontalOverflow(page);
  expect(overflow.outside).toEqual([]);
  expect(overflow.scrollWidth).toBeLessThanOrEqual(overflow.viewportWidth);
}

/** A signed-out visitor (a buyer the learner sent the link to) on a phone of their own, reading the route's language. */
async function visitorContext(page: Page, locale: Locale): Promise<BrowserContext> {
  const browser = page.context().browser();
  if (!browser) throw new Error('the journey page has no browser');
  // The browser's language preference is all that picks the page language for someone without an account.
  return phoneContext(browser, 390, { locale: locale === 'ur' ? 'ur-PK' : 'en-GB' });
}

export const LEARNER_JOURNEY: JourneyStep[] = [
  {
    name: 'opens the home page and picks the language',
    async run({ site, page, locale, shot }) {
      await page.goto(`${site.baseUrl}/`);
      await expectDocumentLanguage(page, 'en');
      if (locale === 'ur') {
        // The switch is labelled in the language it leads to.
        await Promise.all([page.waitForEvent('framenavigated'), page.getByRole('link', { name: tr('en', 'nav.switch_language') }).click()]);
        await page.waitForLoadState();
        await expectDocumentLanguage(page, 'ur');
      }
      await shot('home');
    },
  },
  {
    name: 'creates an account',
    async run({ page, locale, account, shot }) {
      await clickAndWait(page, () => page.getByRole('link', { name: tr(locale, 'nav.register') }).first().click(), (url) => url.pathname === '/register');
      await page.getByLabel(tr(locale, 'auth.name')).fill(account.name);
      await page.getByLabel(tr(locale, 'auth.email')).fill(account.email);
      await page.getByLabel(tr(locale, 'auth.password'), { exact: true }).fill(account.password);
      // The language picked with the switch is already chosen for the account.
      await expect(page.getByLabel(tr(locale, 'account.language')).inputValue()).resolves.toBe(locale);
      await shot('register');
      await clickAndWait(page, () => page.getByRole('button', { name: tr(locale, 'auth.register_button') }).click(), (url) => url.pathname === '/courses');
      await expectDocumentLanguage(page, locale);
      await expect(page.getByRole('link', { name: tr(locale, 'nav.dashboard') }).isVisible()).resolves.toBe(true);
    },
  },
  {
    name: 'finds the course in the catalog and enrols',
    async run({ page, locale, course, shot }) {
      await shot('catalog');
      await clickAndWait(page, () => page.locator(`.cards a[href="/courses/${course}"]`).click(), (url) => url.pathname === `/courses/${course}`);
      await shot('course');
      await clickAndWait(page, () => page.getByRole('button', { name: tr(locale, 'course.enrol') }).click(), (url) => url.pathname.startsWith(`/courses/${course}/modules/`));
    },
  },
  {
    name: 'reads every lesson and marks each one complete',
    async run({ site, page, locale, course, state, shot }) {
      const coursePage = await page.context().newPage();
      await coursePage.goto(`${site.baseUrl}/courses/${course}`);
      const lessons = await lessonPaths(coursePage, course);
      await coursePage.close();
      expect(lessons.length).toBeGreaterThanOrEqual(4);

      let lastPercent = -1;
      for (const [index, lesson] of lessons.entries()) {
        expect(new URL(page.url()).pathname).toBe(lesson);
        await expectDocumentLanguage(page, locale);
        await expect(page.locator('h1').textContent()).resolves.toBeTruthy();
        await expect(page.locator('.prose h2').count()).resolves.toBeGreaterThan(0);
        const percent = Number(await page.locator('#lesson-progress').getAttribute('value'));
        expect(percent).toBeGreaterThan(lastPercent);
        lastPercent = percent;
        if (index === 0) await shot('lesson');
        const last = index === lessons.length - 1;
        await clickAndWait(
          page,
          () => page.getByRole('button', { name: tr(locale, 'lesson.mark_complete') }).click(),
          (url) => (last ? url.pathname === `/courses/${course}` : url.pathname === lessons[index + 1]),
        );
      }
      state.lessons = lessons;
      // Back on the course page, every lesson is marked done.
      await expect(page.locator('.modules').getByText(tr(locale, 'course.done'), { exact: true }).count()).resolves.toBe(lessons.length);
      state.completed = await page.getByRole('status').filter({ hasText: completionPattern(locale) }).isVisible();
      state.coursePercent = Number(await page.locator('#course-progress').getAttribute('value'));
      await shot('course-after-lessons');
    },
  },
  {
    name: 'takes the final assessment one question per page and passes it',
    async run({ site, page, locale, course, state, shot }) {
      await clickAndWait(page, () => page.locator(`a[href="/courses/${course}/quizzes/final"]`).first().click(), (url) => url.pathname.endsWith('/quizzes/final'));
      await expectDocumentLanguage(page, locale);
      await shot('quiz-start');
      await clickAndWait(page, () => page.getByRole('button', { name: tr(locale, 'quizzes.start') }).click(), (url) => url.searchParams.get('q') === '1');
      const db = site.t.app.get(DataSource);
      const attempt = await db.getRepository(QuizAttempt).findOneByOrFail({ id: Number(new URL(page.url()).pathname.split('/').pop()) });
      for (const [index, drawn] of attempt.drawn.entries()) {
        const question = await db.getRepository(QuizQuestion).findOneByOrFail({ id: drawn.questionId });
        // The right answer comes from the server's keys, as the page never carries it.
        await answerInPage(page, correctResponse(question.definition), drawn);
        if (index === 0) await shot('quiz-question');
        const last = index === attempt.drawn.length - 1;
        await clickAndWait(
          page,
          () => page.getByRole('button', { name: tr(locale, last ? 'quizzes.save_review' : 'quizzes.save_next') }).click(),
          (url) => (last ? !url.searchParams.has('q') : url.searchParams.get('q') === String(index + 2)),
        );
      }
      await expect(page.getByText(tr(locale, 'quizzes.answered_of', { count: attempt.drawn.length, total: attempt.drawn.length })).count()).resolves.toBeGreaterThan(0);
      await clickAndWait(page, () => page.getByRole('button', { name: tr(locale, 'quizzes.submit') }).click(), (url) => url.pathname.endsWith('/result'));
      await expect(page.locator('.score').textContent()).resolves.toContain(tr(locale, 'quizzes.your_score', { percent: 100 }));
      await expect(page.getByText(tr(locale, 'quizzes.course_completed')).isVisible()).resolves.toBe(true);
      await shot('quiz-result');
      state.completed = true;
      state.coursePercent = 100;
    },
  },
  {
    name: 'sees the same progress on the dashboard, 100% once the course is complete',
    async run({ page, locale, course, state, shot }) {
      const nav = page.getByRole('navigation', { name: tr(locale, 'nav.label') });
      await clickAndWait(page, () => nav.getByRole('link', { name: tr(locale, 'nav.dashboard') }).click(), (url) => url.pathname === '/dashboard');
      const card = page.locator('.card', { has: page.locator(`a[href="/courses/${course}"]`) });
      const percent = Number(await card.locator('progress').getAttribute('value'));
      expect(percent).toBe(state.coursePercent);
      await expect(card.textContent()).resolves.toContain(tr(locale, 'course.percent', { percent }));
      if (state.completed) {
        expect(percent).toBe(100);
        await expect(card.textContent()).resolves.toMatch(completionPattern(locale));
      }
      await shot('dashboard');
    },
  },
  {
    name: 'waits on the dashboard until the worker has issued the certificate',
    async run({ site, page, locale, course, account, state, shot }) {
      expect(new URL(page.url()).pathname).toBe('/dashboard');
      const courseTitle = (await page.locator(`.cards a[href="/courses/${course}"]`).first().textContent())?.trim() ?? '';
      expect(courseTitle).not.toBe('');
      // The queue and worker issue it in the background: a person reloads until it is there.
      const card = await reloadUntil(page, `an issued certificate for ${course} on the dashboard`, async () => ((await issuedCertificateCard(page, courseTitle).count()) === 1 ? issuedCertificateCard(page, courseTitle) : null));
      await expectDocumentLanguage(page, locale);
      await expect(page.getByRole('status').filter({ hasText: tr(locale, 'certificates.mine.ready', { course: courseTitle }) }).isVisible()).resolves.toBe(true);
      const pdfPath = (await card.getByRole('link', { name: tr(locale, 'certificates.mine.download') }).getAttribute('href')) ?? '';
      const serial = /^\/certificates\/(ER-\d{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4})\.pdf$/.exec(pdfPath)?.[1];
      if (!serial) throw new Error(`the download link is not a certificate PDF: "${pdfPath}"`);
      await expect(card.locator('.meta').textContent()).resolves.toContain(tr(locale, 'certificates.mine.number', { serial }));
      // The link to share is absolute, and leads back to this site.
      const shareUrl = await card.getByLabel(tr(locale, 'certificates.mine.share_label')).inputValue();
      expect(shareUrl).toBe(`${site.baseUrl}/verify/${serial}`);
      state.certificate = { serial, holder: account.name, courseTitle, courseLanguage: locale } satisfies IssuedCertificate;
      state.pdfPath = pdfPath;
      state.shareUrl = shareUrl;
      await shot('certificate');
    },
  },
  {
    name: 'downloads the certificate as a PDF',
    async run({ page, locale, state }) {
      const { serial } = state.certificate as IssuedCertificate;
      // Chromium hands a PDF to its viewer or to a download; the request below carries the same session cookie as the tap.
      const response = await page.context().request.get(new URL(state.pdfPath as string, page.url()).href);
      expect(response.status()).toBe(200);
      expect(response.headers()['content-type']).toBe('application/pdf');
      const pdf = await response.body();
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const file = artifact(`journey-${locale}-certificate.pdf`);
      writeFileSync(file, pdf);
      // The printed certificate names its serial and where to check it.
      const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
      expect(text).toContain(serial);
      expect(text).toContain(`/verify/${serial}`);
    },
  },
  {
    name: 'follows the link to the public verification page',
    async run({ page, locale, state, shot }) {
      const certificate = state.certificate as IssuedCertificate;
      const card = issuedCertificateCard(page, certificate.courseTitle);
      await clickAndWait(page, () => card.getByRole('link', { name: tr(locale, 'certificates.mine.verify_page') }).click(), (url) => url.pathname === `/verify/${certificate.serial}`);
      await expectValidVerificationPage(page, locale, certificate);
      await shot('verify-signed-in');
    },
  },
  {
    name: 'a signed-out visitor opens the shared link and sees the certificate valid',
    async run({ page, locale, state }) {
      const certificate = state.certificate as IssuedCertificate;
      const visitor = await visitorContext(page, locale);
      state.visitor = visitor;
      const visitorPage = await visitor.newPage();
      const response = await visitorPage.goto(state.shareUrl as string);
      expect(response?.status()).toBe(200);
      // Nobody is signed in here: the header offers to sign in, and the learner's pages are not linked.
      const nav = visitorPage.getByRole('navigation', { name: tr(locale, 'nav.label') });
      await expect(nav.getByRole('link', { name: tr(locale, 'nav.login') }).isVisible()).resolves.toBe(true);
      await expect(nav.getByRole('link', { name: tr(locale, 'nav.dashboard') }).count()).resolves.toBe(0);
      await expectValidVerificationPage(visitorPage, locale, certificate);
      await screenshotTaker(visitorPage, locale)('verify');
    },
  },
  {
    name: 'the visitor types the serial into the lookup form and reaches the same page',
    async run({ site, locale, state }) {
      const certificate = state.certificate as IssuedCertificate;
      const visitor = state.visitor as BrowserContext;
      const visitorPage = visitor.pages()[0];
      await clickAndWait(visitorPage, () => visitorPage.getByRole('link', { name: tr(locale, 'certificates.verify.check_file') }).click(), (url) => url.pathname === '/verify');
      await expectDocumentLanguage(visitorPage, locale);
      await visitorPage.getByLabel(tr(locale, 'certificates.check.serial_label')).fill(certificate.serial);
      await screenshotTaker(visitorPage, locale)('verify-lookup');
      await clickAndWait(visitorPage, () => visitorPage.getByRole('button', { name: tr(locale, 'certificates.check.lookup_button') }).click(), (url) => url.pathname === `/verify/${certificate.serial}`);
      expect(visitorPage.url()).toBe(`${site.baseUrl}/verify/${certificate.serial}`);
      await expectValidVerificationPage(visitorPage, locale, certificate);
      await visitor.close();
    },
  },
  {
    name: 'a buyer who reads the other language sees the same certificate, names and title in their own direction',
    async run({ page, locale, state }) {
      const certificate = state.certificate as IssuedCertificate;
      const other: Locale = locale === 'ur' ? 'en' : 'ur';
      const visitor = await visitorContext(page, other);
      const visitorPage = await visitor.newPage();
      await visitorPage.goto(state.shareUrl as string);
      await expectValidVerificationPage(visitorPage, other, certificate);
      await screenshotTaker(visitorPage, locale)(`verify-${other}`);
      await visitor.close();
    },
  },
];
