/// <reference lib="dom" />
// The callbacks given to page.evaluate() run in the browser.
import type { Page } from 'playwright-core';
import type { Locale } from '../../../src/users/user.entity';
import { artifact } from './chromium';
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
  // Next: the certificate and its public verification page.
];
