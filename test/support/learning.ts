import { DataSource } from 'typeorm';
import { DrawnQuestion, QuizAttempt } from '../../src/quizzes/entities/quiz-attempt.entity';
import { QuizQuestion } from '../../src/quizzes/entities/quiz-question.entity';
import { correctResponse, wrongResponse } from '../../src/quizzes/grading/grade-question';
import type { QuestionResponse } from '../../src/quizzes/question.types';
import { Browser, csrfFrom, TestApp } from './test-app';

/**
 * The form fields a browser would send for a response (the inverse of parseResponse). Choices
 * are sent as positions in the order the attempt shows them.
 */
export function answerFields(response: QuestionResponse, drawn?: DrawnQuestion): Record<string, string | string[]> {
  const shown = (canonical: number) => String(drawn?.options ? drawn.options.indexOf(canonical) : canonical);
  switch (response.type) {
    case 'single':
    case 'missingword':
      return response.option === null ? {} : { answer: shown(response.option) };
    case 'multiple':
      return { 'answer[]': response.options.map(shown) };
    case 'truefalse':
      return response.value === null ? {} : { answer: String(response.value) };
    case 'matching':
      return Object.fromEntries(response.rights.map((right, i) => [`answer[${i}]`, right ?? '']));
    default:
      return { answer: response.text };
  }
}

export function lessonSlugs(coursePageHtml: string, courseSlug: string): string[] {
  return [...new Set([...coursePageHtml.matchAll(new RegExp(`/courses/${courseSlug}/modules/([a-z0-9-]+)`, 'g'))].map((m) => m[1]))];
}

/** Enrols (idempotent) and marks every lesson of the course complete. */
export async function completeLessons(browser: Browser, courseSlug: string): Promise<void> {
  await browser.submit(`/courses/${courseSlug}`, `/courses/${courseSlug}/enrol`, {});
  const page = await browser.get(`/courses/${courseSlug}`);
  for (const slug of lessonSlugs(page.text, courseSlug)) {
    const path = `/courses/${courseSlug}/modules/${slug}`;
    await browser.submit(path, `${path}/complete`, {});
  }
}

/**
 * Takes one attempt through the real pages: starts it, answers every drawn question on its
 * own page (right or wrong answers computed on the server side from the stored keys, which
 * the page never shows) and submits. Returns the result page.
 */
export async function takeQuiz(t: TestApp, browser: Browser, courseSlug: string, quizSlug: string, mode: 'correct' | 'wrong') {
  const base = `/courses/${courseSlug}/quizzes/${quizSlug}`;
  const started = await browser.submit(base, `${base}/attempts`, {});
  if (started.status !== 303) throw new Error(`could not start ${base}: ${started.status}`);
  const attemptUrl = (started.headers.location as string).replace(/\?.*$/, '');
  const questions = t.app.get(DataSource).getRepository(QuizQuestion);
  const attempt = await t.app.get(DataSource).getRepository(QuizAttempt).findOneByOrFail({ id: Number(attemptUrl.split('/').pop()) });
  for (let q = 1; ; q++) {
    const page = await browser.get(`${attemptUrl}?q=${q}`);
    const id = /name="questionId" value="(\d+)"/.exec(page.text)?.[1];
    if (!id) break;
    const question = await questions.findOneByOrFail({ id: Number(id) });
    const response = mode === 'correct' ? correctResponse(question.definition) : wrongResponse(question.definition);
    const saved = await browser.agent
      .post(`${attemptUrl}/answers`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), questionId: id, go: 'next', ...answerFields(response, attempt.drawn.find((d) => d.questionId === Number(id))) });
    if (saved.status !== 303) throw new Error(`saving question ${q} failed: ${saved.status} ${saved.text.slice(0, 300)}`);
  }
  const overview = await browser.get(attemptUrl);
  const submitted = await browser.agent.post(`${attemptUrl}/submit`).type('form').send({ _csrf: csrfFrom(overview.text) });
  return { attemptUrl, result: await browser.get(submitted.headers.location as string) };
}

/** Everything a learner does to complete a course: every lesson, then the final assessment passed. */
export async function completeCourse(t: TestApp, browser: Browser, courseSlug: string, finalSlug = 'final') {
  await completeLessons(browser, courseSlug);
  return takeQuiz(t, browser, courseSlug, finalSlug, 'correct');
}
