import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { waitFor } from './certificates';
import { Browser, csrfFrom, setRole, TestApp } from './test-app';

// Driving the authoring area the way a trainer's browser does: pages are fetched for their
// forms' CSRF tokens, forms are posted as the browser would (multipart where there is a file).

/** An empty content/ root, so a test app starts without the shipped curriculum. */
export function emptyContentDir(): string {
  return mkdtempSync(join(tmpdir(), 'exportready-content-'));
}

/** A signed-in account with a role (trainers and admins are promoted directly in the database). */
export async function signUp(
  t: TestApp,
  email: string,
  role: 'learner' | 'trainer' | 'manager' | 'admin' = 'learner',
): Promise<Browser> {
  const browser = new Browser(t.server);
  await browser.register(email.split('@')[0], email);
  if (role !== 'learner') await setRole(t, email, role);
  return browser;
}

export const COURSE_FIELDS = {
  title: 'Selling towels to Germany',
  summary:
    'How a small towel maker from Faisalabad prices, lists and ships its first order to a German buyer.',
  language: 'en',
  level: 'beginner',
  hours: '2',
  outcomes: 'Quote a CIF price in euros\nList towels on a B2B marketplace',
};

/** Creates a course through the form; returns its id. */
export async function createCourse(browser: Browser, fields: Record<string, string> = {}): Promise<number> {
  const response = await browser.submit('/author/courses/new', '/author/courses', {
    ...COURSE_FIELDS,
    ...fields,
  });
  if (response.status !== 303)
    throw new Error(`creating a course failed with ${response.status}: ${response.text.slice(0, 800)}`);
  return Number(/\/author\/courses\/(\d+)$/.exec(response.headers.location as string)?.[1]);
}

/** Adds a lesson from the course page; returns its slug. */
export async function addLesson(browser: Browser, courseId: number, title: string): Promise<string> {
  const response = await browser.submit(
    `/author/courses/${courseId}`,
    `/author/courses/${courseId}/lessons`,
    { title },
  );
  if (response.status !== 303) throw new Error(`adding a lesson failed with ${response.status}`);
  return (response.headers.location as string).split('/').pop() as string;
}

/** The hidden revision of the form on a page. */
export function revisionFrom(html: string): string {
  const match = /name="revision" value="(\d+)"/.exec(html);
  if (!match) throw new Error('no revision in the page');
  return match[1];
}

/** Opens the lesson editor and saves the lesson with the fields given (the rest as they were). */
export async function saveLesson(
  browser: Browser,
  courseId: number,
  slug: string,
  fields: { title?: string; minutes?: string; required?: boolean; bodyMarkdown?: string },
) {
  const path = `/author/courses/${courseId}/lessons/${slug}`;
  const page = await browser.get(path);
  const current = {
    title: /id="f-title" name="title" type="text" value="([^"]*)"/.exec(page.text)?.[1] ?? '',
    minutes: /id="f-minutes" name="minutes" type="text" value="([^"]*)"/.exec(page.text)?.[1] ?? '10',
  };
  const required =
    fields.required ?? /id="f-required" name="required" type="checkbox" checked/.test(page.text);
  return browser.agent
    .post(path)
    .type('form')
    .send({
      _csrf: csrfFrom(page.text),
      revision: revisionFrom(page.text),
      action: 'save',
      title: fields.title ?? current.title,
      minutes: fields.minutes ?? current.minutes,
      bodyMarkdown: fields.bodyMarkdown ?? '',
      ...(required ? { required: 'on' } : {}),
    });
}

/** A multipart form post, as a browser sends a form with a file input. */
export async function postMultipart(
  browser: Browser,
  formPage: string,
  action: string,
  fields: Record<string, string>,
  file?: { field: string; name: string; data: Buffer; type: string },
) {
  const page = await browser.get(formPage);
  let request = browser.agent.post(action).field('_csrf', csrfFrom(page.text));
  for (const [name, value] of Object.entries(fields)) request = request.field(name, value);
  if (file) request = request.attach(file.field, file.data, { filename: file.name, contentType: file.type });
  return request;
}

/** Adds a quiz from the course page; returns its slug. */
export async function addQuiz(
  browser: Browser,
  courseId: number,
  title: string,
  placement = 'final',
): Promise<string> {
  const response = await browser.submit(
    `/author/courses/${courseId}`,
    `/author/courses/${courseId}/quizzes`,
    { title, placement },
  );
  if (response.status !== 303)
    throw new Error(`adding a quiz failed with ${response.status}: ${response.text.slice(0, 500)}`);
  return (response.headers.location as string).split('/').pop() as string;
}

/** Adds a question through the question form. */
export async function addQuestion(
  browser: Browser,
  courseId: number,
  quiz: string,
  type: string,
  fields: Record<string, string>,
) {
  const base = `/author/courses/${courseId}/quizzes/${quiz}`;
  const page = await browser.get(`${base}/questions/new?type=${type}`);
  return browser.agent
    .post(`${base}/questions`)
    .type('form')
    .send({ _csrf: csrfFrom(page.text), revision: revisionFrom(page.text), type, action: 'save', ...fields });
}

export async function publish(browser: Browser, courseId: number) {
  return browser.submit(`/author/courses/${courseId}`, `/author/courses/${courseId}/publish`, {});
}

/**
 * Makes an account a co-author of a course through the course page's authors form, as its owner or
 * an administrator does (courses imported from content/ have no owner: an administrator adds them).
 */
export async function addCoauthor(by: Browser, courseId: number, email: string): Promise<void> {
  const response = await by.submit(`/author/courses/${courseId}`, `/author/courses/${courseId}/authors`, {
    email,
  });
  if (response.status !== 303)
    throw new Error(`adding a co-author failed with ${response.status}: ${response.text.slice(0, 500)}`);
}

/** The id of a course by its slug. */
export async function courseIdOf(t: TestApp, slug: string): Promise<number> {
  const [row] = await t.app.get(DataSource).query('SELECT id FROM courses WHERE slug = ?', [slug]);
  if (!row) throw new Error(`no course ${slug}`);
  return Number(row.id);
}

/**
 * A learner writes one essay answer through the quiz pages: starts an attempt, answers the first
 * essay question drawn with the text (leaving any other question unanswered) and submits, so the
 * answer waits for a trainer. Returns the answer's id.
 */
export async function submitEssay(
  t: TestApp,
  browser: Browser,
  courseSlug: string,
  quizSlug: string,
  text: string,
): Promise<number> {
  const db = t.app.get(DataSource);
  const base = `/courses/${courseSlug}/quizzes/${quizSlug}`;
  const started = await browser.submit(base, `${base}/attempts`, {});
  if (started.status !== 303) throw new Error(`could not start ${base}: ${started.status}`);
  const attemptUrl = (started.headers.location as string).replace(/\?.*$/, '');
  let essayId: string | null = null;
  for (let q = 1; !essayId; q++) {
    const page = await browser.get(`${attemptUrl}?q=${q}`);
    const questionId = /name="questionId" value="(\d+)"/.exec(page.text)?.[1];
    if (!questionId) throw new Error(`no essay question in ${attemptUrl}`);
    const [{ type }] = await db.query('SELECT type FROM quiz_questions WHERE id = ?', [Number(questionId)]);
    if (type !== 'essay') continue;
    const saved = await browser.agent
      .post(`${attemptUrl}/answers`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), questionId, answer: text, go: 'overview' });
    if (saved.status !== 303) throw new Error(`saving the essay failed: ${saved.status}`);
    essayId = questionId;
  }
  const overview = await browser.get(attemptUrl);
  await browser.agent
    .post(`${attemptUrl}/submit`)
    .type('form')
    .send({ _csrf: csrfFrom(overview.text) });
  const [row] = await db.query(
    "SELECT id FROM attempt_answers WHERE attempt_id = ? AND question_id = ? AND status = 'needs_grading'",
    [Number(attemptUrl.split('/').pop()), Number(essayId)],
  );
  if (!row) throw new Error(`the essay in ${attemptUrl} is not waiting for a trainer`);
  return Number(row.id);
}

/**
 * Waits until the worker has refreshed learners' progress after the course's last publish or
 * import (it runs in the background): no run of the course is waiting or running.
 */
export async function progressRefreshed(t: TestApp, courseId: number): Promise<void> {
  await waitFor(`learners' progress in course ${courseId} to be refreshed`, async () => {
    const [{ n }] = await t.app
      .get(DataSource)
      .query("SELECT COUNT(*) AS n FROM course_refresh_runs WHERE course_id = ? AND status IN ('waiting', 'running')", [courseId]);
    return Number(n) === 0;
  });
}
