import { join } from 'node:path';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuthorCoursesController } from '../src/authoring/author-courses.controller';
import { AuthorLessonsController } from '../src/authoring/author-lessons.controller';
import { AuthorPreviewController } from '../src/authoring/author-preview.controller';
import { AuthorQuizzesController } from '../src/authoring/author-quizzes.controller';
import { GradingController } from '../src/authoring/grading.controller';
import { QuizStatisticsController } from '../src/authoring/quiz-statistics.controller';
import {
  addLesson,
  addQuestion,
  addQuiz,
  createCourse,
  publish,
  saveLesson,
  signUp,
  submitEssay,
} from './support/authoring';
import { completeLessons } from './support/learning';
import { Browser, csrfFrom, startTestApp, TestApp } from './support/test-app';

// These suites boot the app several times and publish whole courses: longer than the project's 60 s on a busy MariaDB.
jest.setTimeout(120_000);

const AUTHORING_CONTROLLERS = [
  AuthorCoursesController,
  AuthorLessonsController,
  AuthorQuizzesController,
  AuthorPreviewController,
  GradingController,
  QuizStatisticsController,
];

/** Every route of the authoring controllers, as `METHOD /path/:params`, read from the controllers themselves. */
function authoringRoutes(): string[] {
  return AUTHORING_CONTROLLERS.flatMap((controller) => {
    const base = Reflect.getMetadata(PATH_METADATA, controller) as string;
    const prototype = controller.prototype as unknown as Record<string, unknown>;
    return Object.getOwnPropertyNames(prototype)
      .map((name) => prototype[name])
      .filter(
        (handler): handler is object =>
          typeof handler === 'function' &&
          Reflect.hasMetadata(PATH_METADATA, handler) &&
          Reflect.hasMetadata(METHOD_METADATA, handler),
      )
      .map((handler) => {
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
        return `${method} /${[base, path].filter((p) => p && p !== '/').join('/')}`;
      });
  });
}

describe('authoring is for the course’s own authors: every route refuses other trainers and learners', () => {
  let t: TestApp;
  let db: DataSource;
  let owner: Browser;
  let other: Browser;
  let learner: Browser;
  let courseId: number;
  /** The published final's id (statistics) and a learner's essay in it, waiting for a mark (grading). */
  let liveQuizId: number;
  let answerId: number;
  const lesson = 'pricing-basics';
  const quiz = 'final';
  const essayText = 'FOB: the buyer takes the goods over at the port of loading.';

  beforeAll(async () => {
    t = await startTestApp({ CONTENT_DIR: join(__dirname, 'fixtures', 'content') });
    db = t.app.get(DataSource);
    owner = await signUp(t, 'owner@trainers.pk', 'trainer');
    other = await signUp(t, 'other@trainers.pk', 'trainer');
    learner = await signUp(t, 'learner@example.pk');
    courseId = await createCourse(owner, { title: 'Owner’s private course' });
    await addLesson(owner, courseId, 'Pricing basics');
    await saveLesson(owner, courseId, lesson, { minutes: '5', bodyMarkdown: 'Quote FOB first.' });
    await addQuiz(owner, courseId, 'Final', 'final');
    await addQuestion(owner, courseId, quiz, 'truefalse', {
      text: 'FOB ends at the ship’s rail.',
      answer: 'true',
    });
    await addQuestion(owner, courseId, quiz, 'essay', {
      text: 'Explain FOB to a new buyer in two sentences.',
    });
    const published = await publish(owner, courseId);
    if (published.status !== 303) throw new Error(`publishing failed with ${published.status}`);
    const [live] = await db.query(
      'SELECT q.id AS id, c.slug AS slug FROM quizzes q JOIN courses c ON c.id = q.course_id WHERE q.course_id = ? AND q.slug = ?',
      [courseId, quiz],
    );
    liveQuizId = Number(live.id);
    const writer = await signUp(t, 'writer@example.pk');
    await completeLessons(writer, live.slug);
    answerId = await submitEssay(t, writer, live.slug, quiz, essayText);
  });

  afterAll(async () => {
    await t?.close();
  });

  /**
   * [method, path] for every authoring route about one course (every route with a parameter: the
   * course, one of its quizzes, or an answer given in it), with this course's ids filled in.
   */
  const routes = (): [string, string][] => {
    const userId = '1';
    return authoringRoutes()
      .filter((route) => route.includes('/:'))
      .map((route) => {
        const [method, path] = route.split(' ');
        const filled = path
          .replace(':id', String(courseId))
          .replace(':slug', path.includes('/quizzes/') ? quiz : lesson)
          .replace(':number', '1')
          .replace(':userId', userId)
          .replace(':quizId', String(liveQuizId))
          .replace(':answerId', String(answerId));
        // A parameter this list does not know would be requested literally and pass by accident.
        if (filled.includes(':')) throw new Error(`no value for a parameter of ${route}`);
        return [method, filled];
      });
  };

  const essayRow = async () =>
    (
      await db.query(
        'SELECT status, score_permille AS score, graded_by AS gradedBy FROM attempt_answers WHERE id = ?',
        [answerId],
      )
    )[0];

  async function tokenOf(browser: Browser): Promise<string> {
    return csrfFrom((await browser.get('/account')).text);
  }

  it('finds every authoring route in the controllers (so a new route cannot go untested)', () => {
    const all = authoringRoutes();
    expect(all.length).toBeGreaterThanOrEqual(30);
    expect(all).toEqual(
      expect.arrayContaining([
        'GET /author',
        'POST /author/courses',
        'POST /author/courses/:id/publish',
        'POST /author/courses/:id/lessons/:slug',
        'GET /author/courses/:id/export.zip',
        'GET /author/grading',
        'POST /author/grading/:answerId',
        'GET /author/quizzes/:quizId/statistics',
      ]),
    );
  });

  it('answers 403 to another trainer on every route of someone else’s course, and changes nothing', async () => {
    const token = await tokenOf(other);
    const before = await db.query('SELECT status, updated_at FROM courses WHERE id = ?', [courseId]);
    const draftBefore = await db.query('SELECT version FROM course_drafts WHERE course_id = ?', [courseId]);
    const essayBefore = await essayRow();
    expect(essayBefore).toMatchObject({ status: 'needs_grading', score: null });
    for (const [method, path] of routes()) {
      const response =
        method === 'GET'
          ? await other.get(path)
          : await other.agent.post(path).type('form').send({
              _csrf: token,
              title: 'Hijacked',
              email: 'other@trainers.pk',
              ownerEmail: 'other@trainers.pk',
              percent: '100',
            });
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 403 });
    }
    expect(await db.query('SELECT status, updated_at FROM courses WHERE id = ?', [courseId])).toEqual(before);
    expect(await db.query('SELECT version FROM course_drafts WHERE course_id = ?', [courseId])).toEqual(
      draftBefore,
    );
    expect(await essayRow()).toEqual(essayBefore);
    const list = await other.get('/author').expect(200);
    expect(list.text).not.toContain('Owner’s private course');
  });

  it('answers 403 to a learner on every authoring route, and sends visitors to sign in', async () => {
    const token = await tokenOf(learner);
    const all = [
      ...routes(),
      ['GET', '/author'],
      ['GET', '/author/grading'],
      ['GET', '/author/courses/new'],
      ['POST', '/author/courses'],
    ] as [string, string][];
    for (const [method, path] of all) {
      const response =
        method === 'GET'
          ? await learner.get(path)
          : await learner.agent.post(path).type('form').send({ _csrf: token, title: 'Mine now' });
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 403 });
    }
    const visitor = new Browser(t.server);
    for (const [, path] of all.filter(([method]) => method === 'GET')) {
      const response = await visitor.get(path);
      expect({ path, status: response.status, to: response.headers.location?.split('?')[0] }).toEqual({
        path,
        status: 303,
        to: '/login',
      });
    }
    await learner.get('/admin/audit').expect(403);
  });

  it('keeps the essay queue and the item statistics to the course’s authors and administrators', async () => {
    const mine = await owner.get('/author/grading').expect(200);
    expect(mine.text).toContain(essayText);
    expect(mine.text).toContain(`action="/author/grading/${answerId}"`);
    expect(mine.text).toContain(
      `<a href="/author/courses/${courseId}" lang="en" dir="auto">Owner’s private course</a>`,
    );
    expect((await owner.get(`/author/grading?course=${courseId}`).expect(200)).text).toContain(essayText);

    // Another trainer: an empty queue, and 403 when asking for this course's essays or marking one.
    const theirs = await other.get('/author/grading').expect(200);
    expect(theirs.text).not.toContain(essayText);
    expect(theirs.text).not.toContain(`/author/grading/${answerId}`);
    expect(theirs.text).toContain('No essay answers are waiting.');
    await other.get(`/author/grading?course=${courseId}`).expect(403);
    const refused = await other.agent
      .post(`/author/grading/${answerId}`)
      .set('Accept', 'application/json')
      .type('form')
      .send({ _csrf: await tokenOf(other), percent: '100' });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('author.not_your_course');
    expect(await essayRow()).toMatchObject({ status: 'needs_grading', score: null });
    await other.get(`/author/quizzes/${liveQuizId}/statistics`).expect(403);
    const stats = await owner.get(`/author/quizzes/${liveQuizId}/statistics`).expect(200);
    expect(stats.text).toContain('Question statistics: Final');

    // The course page leads to its own queue and statistics.
    const page = await owner.get(`/author/courses/${courseId}`).expect(200);
    expect(page.text).toContain(`href="/author/grading?course=${courseId}"`);
    expect(page.text).toContain(`href="/author/quizzes/${liveQuizId}/statistics"`);

    // Administrators see and may mark everything; managers read statistics but mark nothing.
    const admin = await signUp(t, 'grading-admin@exportready.pk', 'admin');
    expect((await admin.get('/author/grading').expect(200)).text).toContain(essayText);
    await admin.get(`/author/quizzes/${liveQuizId}/statistics`).expect(200);
    const manager = await signUp(t, 'manager@programmes.pk', 'manager');
    await manager.get(`/author/quizzes/${liveQuizId}/statistics`).expect(200);
    await manager.get('/author/grading').expect(403);
  });

  it('lets an owner add a co-author by email, who may then edit but not manage authors; removing them closes the door again', async () => {
    await other.get(`/author/courses/${courseId}`).expect(403);
    const notTrainer = await owner.submit(
      `/author/courses/${courseId}`,
      `/author/courses/${courseId}/authors`,
      { email: 'learner@example.pk' },
    );
    expect(notTrainer.status).toBe(400);
    expect(notTrainer.text).toContain('This account is not a trainer.');
    // The address typed stays in the field to correct.
    expect(notTrainer.text).toMatch(/<input id="f-email" name="email" type="email" value="learner@example\.pk"/);
    const added = await owner.submit(`/author/courses/${courseId}`, `/author/courses/${courseId}/authors`, {
      email: 'Other@Trainers.pk',
    });
    expect(added.status).toBe(303);

    const page = await other.get(`/author/courses/${courseId}`).expect(200);
    expect(page.text).toContain('Co-author');
    // A co-author marks the course's essays and reads its statistics.
    expect((await other.get('/author/grading').expect(200)).text).toContain(essayText);
    await other.get(`/author/quizzes/${liveQuizId}/statistics`).expect(200);
    const marked = await other.submit(`/author/grading?course=${courseId}`, `/author/grading/${answerId}`, {
      percent: '75',
      comment: 'Right, and short.',
      course: String(courseId),
    });
    expect(marked.status).toBe(303);
    expect(marked.headers.location).toBe(`/author/grading?graded=1&course=${courseId}`);
    const [{ id: otherId }] = await db.query('SELECT id FROM users WHERE email = ?', ['other@trainers.pk']);
    expect(await essayRow()).toMatchObject({ score: 750, gradedBy: otherId });
    expect(
      (await saveLesson(other, courseId, lesson, { bodyMarkdown: 'Quote FOB first, then CIF.' })).status,
    ).toBe(303);
    const third = await signUp(t, 'third@trainers.pk', 'trainer');
    const refused = await other.submit(`/author/courses/${courseId}`, `/author/courses/${courseId}/authors`, {
      email: 'third@trainers.pk',
    });
    expect(refused.status).toBe(403);
    await third.get(`/author/courses/${courseId}`).expect(403);

    const removed = await owner.submit(
      `/author/courses/${courseId}`,
      `/author/courses/${courseId}/authors/${otherId}/remove`,
      {},
    );
    expect(removed.status).toBe(303);
    await other.get(`/author/courses/${courseId}`).expect(403);
    await other.get(`/author/quizzes/${liveQuizId}/statistics`).expect(403);
  });

  it('shows a course imported from content/ (no owner) only to administrators, who can give it an owner', async () => {
    const [{ id: importedId }] = await db.query('SELECT id FROM courses WHERE slug = ?', ['quiz-lab']);
    await other.get(`/author/courses/${importedId}`).expect(403);
    const admin = await signUp(t, 'admin@exportready.pk', 'admin');
    const adminList = await admin.get('/author').expect(200);
    expect(adminList.text).toContain(`/author/courses/${importedId}`);
    const page = await admin.get(`/author/courses/${importedId}`).expect(200);
    expect(page.text).toContain('This course has no owner yet');
    // Trainers cannot assign owners, even on their own course.
    expect(
      (
        await owner.submit(`/author/courses/${courseId}`, `/author/courses/${courseId}/owner`, {
          ownerEmail: 'owner@trainers.pk',
        })
      ).status,
    ).toBe(403);

    const assigned = await admin.submit(
      `/author/courses/${importedId}`,
      `/author/courses/${importedId}/owner`,
      { ownerEmail: 'other@trainers.pk' },
    );
    expect(assigned.status).toBe(303);
    const mine = await other.get('/author').expect(200);
    expect(mine.text).toContain(`/author/courses/${importedId}`);
    await other.get(`/author/courses/${importedId}`).expect(200);
    const audit = await admin.get(`/admin/audit?course=${importedId}`).expect(200);
    expect(audit.text).toContain('assigned the owner');
  });
});
