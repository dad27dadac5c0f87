import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { Clock } from '../src/common/clock';
import { AssessmentService } from '../src/enrollments/assessment.service';
import { QuizAttempt } from '../src/quizzes/entities/quiz-attempt.entity';
import { QuizQuestion } from '../src/quizzes/entities/quiz-question.entity';
import { correctResponse } from '../src/quizzes/grading/grade-question';
import { QuizzesService } from '../src/quizzes/quizzes.service';
import {
  addCoauthor,
  addLesson,
  addQuestion,
  addQuiz,
  courseIdOf,
  createCourse,
  publish,
  saveLesson,
  signUp,
  submitEssay,
} from './support/authoring';
import { answerFields, completeLessons, takeQuiz } from './support/learning';
import { Browser, csrfFrom, setRole, startTestApp, TestApp } from './support/test-app';

const COURSE = 'quiz-lab';
const FINAL = `/courses/${COURSE}/quizzes/final`;

describe('the quiz engine, through the pages a learner uses', () => {
  let t: TestApp;
  let db: DataSource;

  beforeAll(async () => {
    t = await startTestApp({ CONTENT_DIR: join(__dirname, 'fixtures', 'content') });
    db = t.app.get(DataSource);
  });

  afterAll(async () => {
    await t?.close();
  });

  async function learner(email: string): Promise<Browser> {
    const browser = new Browser(t.server);
    await browser.register(email.split('@')[0], email);
    await completeLessons(browser, COURSE);
    return browser;
  }

  async function startAttempt(browser: Browser): Promise<{ url: string; attempt: QuizAttempt }> {
    const started = await browser.submit(FINAL, `${FINAL}/attempts`, {});
    expect(started.status).toBe(303);
    const url = (started.headers.location as string).replace(/\?.*$/, '');
    const attempt = await db.getRepository(QuizAttempt).findOneByOrFail({ id: Number(url.split('/').pop()) });
    return { url, attempt };
  }

  async function answerCorrectly(browser: Browser, url: string, attempt: QuizAttempt, position: number) {
    const drawn = attempt.drawn[position - 1];
    const question = await db.getRepository(QuizQuestion).findOneByOrFail({ id: drawn.questionId });
    const page = await browser.get(`${url}?q=${position}`);
    return browser.agent
      .post(`${url}/answers`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), questionId: String(drawn.questionId), go: 'next', ...answerFields(correctResponse(question.definition), drawn) });
  }

  const completedAt = async (email: string) =>
    (await db.query('SELECT e.completed_at AS completedAt FROM enrollments e JOIN users u ON u.id = e.user_id WHERE u.email = ?', [email]))[0]
      ?.completedAt ?? null;

  it('a learner who fails the final, retries and passes completes the course once, after the essay is marked', async () => {
    const browser = await learner('rehan@example.pk');

    const reflection = `/courses/${COURSE}/quizzes/reflection`;
    const started = await browser.submit(reflection, `${reflection}/attempts`, {});
    const reflectionUrl = (started.headers.location as string).replace(/\?.*$/, '');
    const essayPage = await browser.get(`${reflectionUrl}?q=1`);
    const questionId = /name="questionId" value="(\d+)"/.exec(essayPage.text)?.[1] as string;
    await browser.agent.post(`${reflectionUrl}/answers`).type('form').send({ _csrf: csrfFrom(essayPage.text), questionId, answer: 'I reply the same day with price, MOQ and lead time.', go: 'overview' });
    const overview = await browser.get(reflectionUrl);
    await browser.agent.post(`${reflectionUrl}/submit`).type('form').send({ _csrf: csrfFrom(overview.text) });
    expect((await browser.get(`${reflectionUrl}/result`)).text).toContain('A trainer still has to mark part of your answers.');

    const failed = await takeQuiz(t, browser, COURSE, 'final', 'wrong');
    expect(failed.result.text).toContain('Your score: 0%');
    expect(failed.result.text).toContain('Not passed this time.');
    expect(failed.result.text).toContain('Try again');
    expect(await completedAt('rehan@example.pk')).toBeNull();

    const passed = await takeQuiz(t, browser, COURSE, 'final', 'correct');
    expect(passed.result.text).toContain('Your score: 100%');
    expect(passed.result.text).not.toContain('You have completed the course.');
    expect(await completedAt('rehan@example.pk')).toBeNull();

    const trainer = new Browser(t.server);
    await trainer.register('Trainer', 'trainer@example.pk');
    await setRole(t, 'trainer@example.pk', 'trainer');
    // Only a course's authors mark its essays: an administrator makes the trainer a co-author of
    // quiz-lab (imported from content/, so it has no owner).
    await addCoauthor(await signUp(t, 'admin@example.pk', 'admin'), await courseIdOf(t, COURSE), 'trainer@example.pk');
    const queue = await trainer.get('/author/grading').expect(200);
    expect(queue.text).toContain('I reply the same day with price, MOQ and lead time.');
    const answerId = /action="\/author\/grading\/(\d+)"/.exec(queue.text)?.[1];
    const bad = await trainer.agent.post(`/author/grading/${answerId}`).type('form').send({ _csrf: csrfFrom(queue.text), percent: '140', comment: 'Good on MOQ; add the lead time.' });
    expect(bad.status).toBe(400);
    // The queue again, the mark refused next to its field, and what the trainer typed kept.
    expect(bad.text).toContain(`<p class="error" id="p-${answerId}-error">Give a mark from 0 to 100.</p>`);
    expect(bad.text).toContain('value="140"');
    expect(bad.text).toContain('>Good on MOQ; add the lead time.</textarea>');
    expect(await completedAt('rehan@example.pk')).toBeNull();
    const marked = await trainer.agent.post(`/author/grading/${answerId}`).type('form').send({ _csrf: csrfFrom(queue.text), percent: '80', comment: 'Clear and complete.' });
    expect(marked.status).toBe(303);

    const first = await completedAt('rehan@example.pk');
    expect(first).not.toBeNull();
    expect((await browser.get(`${reflectionUrl}/result`)).text).toContain('Clear and complete.');
    // Marking again and passing again change nothing about the completion.
    await trainer.agent.post(`/author/grading/${answerId}`).type('form').send({ _csrf: csrfFrom(queue.text), percent: '90' });
    await takeQuiz(t, browser, COURSE, 'final', 'correct');
    expect(await completedAt('rehan@example.pk')).toEqual(first);
    const [{ count }] = await db.query("SELECT COUNT(*) AS count FROM enrollments WHERE completed_at IS NOT NULL");
    expect(Number(count)).toBe(1);
  });

  it('closes an attempt at its deadline and grades the answers saved so far (fake clock)', async () => {
    const browser = await learner('saima@example.pk');
    const { url, attempt } = await startAttempt(browser);
    expect(attempt.drawn).toHaveLength(4);
    expect((await answerCorrectly(browser, url, attempt, 1)).status).toBe(303);

    t.app.get(Clock).advance(11 * 60 * 1000);
    const late = await browser.get(`${url}?q=2`);
    expect(late.status).toBe(303);
    expect(late.headers.location).toBe(`${url}/result`);
    const closed = await db.getRepository(QuizAttempt).findOneByOrFail({ id: attempt.id });
    expect(closed).toMatchObject({ status: 'graded', closedBy: 'deadline', scorePermille: 250, passed: false });
    expect((await browser.get(`${url}/result`)).text).toContain('The time limit ran out');

    // Without the browser ever coming back: the sweeper closes it.
    const second = await startAttempt(browser);
    await answerCorrectly(browser, second.url, second.attempt, 1);
    await answerCorrectly(browser, second.url, second.attempt, 2);
    t.app.get(Clock).advance(11 * 60 * 1000);
    expect(await t.app.get(AssessmentService).closeExpiredAttempts()).toBe(1);
    expect(await db.getRepository(QuizAttempt).findOneByOrFail({ id: second.attempt.id })).toMatchObject({
      status: 'graded',
      closedBy: 'deadline',
      scorePermille: 500,
    });
  });

  it('submitting twice gives one result', async () => {
    const browser = await learner('danish@example.pk');
    const { url, attempt } = await startAttempt(browser);
    await answerCorrectly(browser, url, attempt, 1);
    const overview = await browser.get(url);
    const token = csrfFrom(overview.text);
    const [a, b] = await Promise.all([
      browser.agent.post(`${url}/submit`).type('form').send({ _csrf: token }),
      browser.agent.post(`${url}/submit`).type('form').send({ _csrf: token }),
    ]);
    expect([a.status, b.status]).toEqual([303, 303]);
    expect(a.headers.location).toBe(b.headers.location);
    const json = await browser.agent.post(`${url}/submit`).set('Accept', 'application/json').type('form').send({ _csrf: token });
    expect(json.body).toEqual({ attemptId: attempt.id, status: 'graded', scorePercent: 25, passed: false });
    const rows = await db.getRepository(QuizAttempt).findBy({ quizId: attempt.quizId, userId: attempt.userId });
    expect(rows).toHaveLength(1);
    const [{ answers }] = await db.query('SELECT COUNT(*) AS answers FROM attempt_answers WHERE attempt_id = ?', [attempt.id]);
    expect(Number(answers)).toBe(4);
  });

  it('rejects tampering: another learner’s attempt, a question not drawn, answers after closing, a forged score', async () => {
    const owner = await learner('owner@example.pk');
    const intruder = await learner('intruder@example.pk');
    const { url, attempt } = await startAttempt(owner);

    await intruder.get(`${url}?q=1`).expect(404);
    const intruderPage = await intruder.get(FINAL);
    const foreign = await intruder.agent.post(`${url}/answers`).type('form').send({ _csrf: csrfFrom(intruderPage.text), questionId: String(attempt.drawn[0].questionId), answer: '0' });
    expect(foreign.status).toBe(404);
    expect((await intruder.agent.post(`${url}/submit`).type('form').send({ _csrf: csrfFrom(intruderPage.text) })).status).toBe(404);

    const allIds = (await db.getRepository(QuizQuestion).findBy({ quizId: attempt.quizId })).map((q) => q.id);
    const notDrawn = allIds.find((id) => !attempt.drawn.some((d) => d.questionId === id));
    const page = await owner.get(`${url}?q=1`);
    const outside = await owner.agent.post(`${url}/answers`).set('Accept', 'application/json').type('form').send({ _csrf: csrfFrom(page.text), questionId: String(notDrawn), answer: '0' });
    expect(outside.status).toBe(400);
    expect(outside.body.error).toBe('quizzes.question_not_in_attempt');
    const garbage = await owner.agent.post(`${url}/answers`).set('Accept', 'application/json').type('form').send({ _csrf: csrfFrom(page.text), questionId: String(attempt.drawn[0].questionId), answer: ['x', 'y', 'z'] });
    expect(garbage.status).toBe(400);

    const submitted = await owner.agent.post(`${url}/submit`).type('form').send({ _csrf: csrfFrom(page.text), score: '100', scorePermille: '1000', passed: 'true' });
    expect(submitted.status).toBe(303);
    const closed = await db.getRepository(QuizAttempt).findOneByOrFail({ id: attempt.id });
    expect(closed).toMatchObject({ status: 'graded', scorePermille: 0, passed: false });

    const afterClose = await owner.agent.post(`${url}/answers`).set('Accept', 'application/json').type('form').send({ _csrf: csrfFrom(page.text), questionId: String(attempt.drawn[0].questionId), answer: '1' });
    expect(afterClose.status).toBe(409);
    const [{ saved }] = await db.query('SELECT COUNT(*) AS saved FROM attempt_answers WHERE attempt_id = ? AND response IS NOT NULL', [attempt.id]);
    expect(Number(saved)).toBe(0);
  });

  it('never puts a correct answer, weight or feedback in the page of an open attempt', async () => {
    const browser = await learner('curious@example.pk');
    const { url, attempt } = await startAttempt(browser);
    const questions = await db.getRepository(QuizQuestion).findBy({ quizId: attempt.quizId });
    const byId = new Map(questions.map((q) => [q.id, q.definition]));
    for (let position = 1; position <= attempt.drawn.length; position++) {
      const html = (await browser.get(`${url}?q=${position}`)).text;
      const definition = byId.get(attempt.drawn[position - 1].questionId)!;
      const secrets = [
        definition.generalFeedback,
        definition.trueFeedback,
        definition.falseFeedback,
        ...(definition.options ?? []).map((o) => o.feedback),
        ...(definition.type === 'short' ? (definition.options ?? []).map((o) => o.text) : []),
        ...(definition.numeric ?? []).map((n) => (n.kind === 'tolerance' ? String(n.value) : String(n.min))),
      ].filter((s): s is string => !!s && !definition.text.includes(s));
      for (const secret of secrets) expect({ position, leaked: html.includes(secret) ? secret : null }).toEqual({ position, leaked: null });
      expect(html.replace(/<legend>[\s\S]*?<\/legend>/, '')).not.toMatch(/weight|%-?\d+%|correct/i);
    }
    const overview = await browser.get(url);
    expect(overview.text).not.toMatch(/weight|feedback/i);
  });

  it('refuses a fourth attempt when three are allowed', async () => {
    const browser = await learner('persistent@example.pk');
    for (let i = 0; i < 3; i++) await takeQuiz(t, browser, COURSE, 'final', 'wrong');
    const page = await browser.get(FINAL);
    expect(page.text).toContain('You have used all the attempts this quiz allows.');
    const fourth = await browser.agent.post(`${FINAL}/attempts`).type('form').send({ _csrf: csrfFrom((await browser.get('/dashboard')).text) });
    expect(fourth.status).toBe(409);
    const [{ count }] = await db.query(
      'SELECT COUNT(*) AS count FROM quiz_attempts a JOIN users u ON u.id = a.user_id WHERE u.email = ?',
      ['persistent@example.pk'],
    );
    expect(Number(count)).toBe(3);
  });
});

describe('the essay queue follows the course’s authors', () => {
  let t: TestApp;
  let db: DataSource;
  let admin: Browser;
  let trainerA: Browser;
  let trainerB: Browser;
  let labId: number;
  let ownId: number;
  let labAnswer: number;
  let ownAnswer: number;
  const labEssay = 'Quiz lab essay: I answer every inquiry within a day.';
  const ownEssay = 'Towel essay: I quote FOB Karachi and the lead time.';

  beforeAll(async () => {
    t = await startTestApp({ CONTENT_DIR: join(__dirname, 'fixtures', 'content') });
    db = t.app.get(DataSource);
    admin = await signUp(t, 'admin@example.pk', 'admin');
    // Trainer A co-authors the imported quiz-lab course; trainer B builds and publishes a course of their own.
    trainerA = await signUp(t, 'a@trainers.pk', 'trainer');
    trainerB = await signUp(t, 'b@trainers.pk', 'trainer');
    labId = await courseIdOf(t, COURSE);
    await addCoauthor(admin, labId, 'a@trainers.pk');
    ownId = await createCourse(trainerB, { title: 'Towels for Hamburg' });
    const lesson = await addLesson(trainerB, ownId, 'Quoting');
    await saveLesson(trainerB, ownId, lesson, { minutes: '5', bodyMarkdown: 'Quote FOB first.' });
    const final = await addQuiz(trainerB, ownId, 'Final', 'final');
    await addQuestion(trainerB, ownId, final, 'essay', { text: 'How do you quote a first order?' });
    expect((await publish(trainerB, ownId)).status).toBe(303);

    const learner = await signUp(t, 'writer@example.pk');
    await completeLessons(learner, COURSE);
    labAnswer = await submitEssay(t, learner, COURSE, 'reflection', labEssay);
    await completeLessons(learner, 'towels-for-hamburg');
    ownAnswer = await submitEssay(t, learner, 'towels-for-hamburg', final, ownEssay);
  });

  afterAll(async () => {
    await t?.close();
  });

  const answer = async (id: number) =>
    (await db.query('SELECT status, score_permille AS score FROM attempt_answers WHERE id = ?', [id]))[0];

  it('lists to each trainer only the essays of the courses they author, each with its course', async () => {
    const a = (await trainerA.get('/author/grading').expect(200)).text;
    expect(a).toContain(labEssay);
    expect(a).toContain('>Quiz lab</a>');
    expect(a).not.toContain(ownEssay);
    expect(a).not.toContain(`/author/grading/${ownAnswer}"`);
    const b = (await trainerB.get('/author/grading').expect(200)).text;
    expect(b).toContain(ownEssay);
    expect(b).toContain('>Towels for Hamburg</a>');
    expect(b).not.toContain(labEssay);
    expect(b).not.toContain(`/author/grading/${labAnswer}"`);
    // Neither may ask for the other's course by its id.
    await trainerB.get(`/author/grading?course=${labId}`).expect(403);
    await trainerA.get(`/author/grading?course=${ownId}`).expect(403);
  });

  it('answers 403 to a trainer marking another course’s essay, and leaves it waiting', async () => {
    const page = await trainerB.get('/author/grading');
    const refused = await trainerB.agent
      .post(`/author/grading/${labAnswer}`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), percent: '100' });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('You are not an author of this course.');
    expect(await answer(labAnswer)).toEqual({ status: 'needs_grading', score: null });
    await trainerB.agent
      .post('/author/grading/999999')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), percent: '100' })
      .expect(404);
  });

  it('shows administrators every course’s essays, filtered by course on request, and lets them mark any', async () => {
    const all = (await admin.get('/author/grading').expect(200)).text;
    expect(all).toContain(labEssay);
    expect(all).toContain(ownEssay);
    expect(all).toMatch(new RegExp(`<option value="${ownId}"[^>]*>Towels for Hamburg \\(1\\)</option>`));
    const filtered = (await admin.get(`/author/grading?course=${ownId}`).expect(200)).text;
    expect(filtered).toContain(ownEssay);
    expect(filtered).not.toContain(labEssay);
    const marked = await admin.submit('/author/grading', `/author/grading/${ownAnswer}`, { percent: '60' });
    expect(marked.status).toBe(303);
    expect(await answer(ownAnswer)).toMatchObject({ score: 600 });
    expect((await trainerB.get('/author/grading').expect(200)).text).not.toContain(ownEssay);
  });
});

describe('GIFT export and import of a stored quiz', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ CONTENT_DIR: join(__dirname, 'fixtures', 'content') });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('exports a pool that imports back to the same questions, and refuses a broken file whole', async () => {
    const db = t.app.get(DataSource);
    const quizzes = t.app.get(QuizzesService);
    const [course] = await db.query("SELECT id FROM courses WHERE slug = 'quiz-lab'");
    const quiz = await quizzes.getQuiz(course.id, 'final');
    const before = (await quizzes.activeQuestions(quiz.id)).map((q) => ({ id: q.id, definition: q.definition }));

    const gift = await quizzes.exportGift(quiz.id);
    const dry = await quizzes.importGift(quiz.id, gift, true);
    expect(dry.errors).toEqual([]);
    expect(dry.questions).toHaveLength(before.length);
    await quizzes.importGift(quiz.id, gift, false);
    const after = (await quizzes.activeQuestions(quiz.id)).map((q) => ({ id: q.id, definition: q.definition }));
    expect(after).toEqual(before);

    const broken = `${gift}\n\n::bad:: An unclosed question {=yes ~no\n`;
    const refused = await quizzes.importGift(quiz.id, broken, false);
    expect(refused.errors.length).toBeGreaterThan(0);
    expect(refused.errors[0].line).toBeGreaterThan(gift.split('\n').length);
    expect((await quizzes.activeQuestions(quiz.id)).map((q) => ({ id: q.id, definition: q.definition }))).toEqual(before);
  });
});
