import { join } from 'node:path';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuthorCoursesController } from '../src/authoring/author-courses.controller';
import { AuthorLessonsController } from '../src/authoring/author-lessons.controller';
import { AuthorPreviewController } from '../src/authoring/author-preview.controller';
import { AuthorQuizzesController } from '../src/authoring/author-quizzes.controller';
import { addLesson, addQuestion, addQuiz, createCourse, saveLesson, signUp } from './support/authoring';
import { Browser, csrfFrom, startTestApp, TestApp } from './support/test-app';

// These suites boot the app several times and publish whole courses: longer than the project's 60 s on a busy MariaDB.
jest.setTimeout(120_000);

const AUTHORING_CONTROLLERS = [
  AuthorCoursesController,
  AuthorLessonsController,
  AuthorQuizzesController,
  AuthorPreviewController,
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
  const lesson = 'pricing-basics';
  const quiz = 'final';

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
  });

  afterAll(async () => {
    await t?.close();
  });

  /** [method, path] for every authoring route, with this course's ids filled in. */
  const routes = (): [string, string][] => {
    const userId = '1';
    return authoringRoutes()
      .filter((route) => route.includes(':id'))
      .map((route) => {
        const [method, path] = route.split(' ');
        const filled = path
          .replace(':id', String(courseId))
          .replace(':slug', path.includes('/quizzes/') ? quiz : lesson)
          .replace(':number', '1')
          .replace(':userId', userId);
        return [method, filled];
      });
  };

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
      ]),
    );
  });

  it('answers 403 to another trainer on every route of someone else’s course, and changes nothing', async () => {
    const token = await tokenOf(other);
    const before = await db.query('SELECT status, updated_at FROM courses WHERE id = ?', [courseId]);
    const draftBefore = await db.query('SELECT version FROM course_drafts WHERE course_id = ?', [courseId]);
    for (const [method, path] of routes()) {
      const response =
        method === 'GET'
          ? await other.get(path)
          : await other.agent.post(path).type('form').send({
              _csrf: token,
              title: 'Hijacked',
              email: 'other@trainers.pk',
              ownerEmail: 'other@trainers.pk',
            });
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 403 });
    }
    expect(await db.query('SELECT status, updated_at FROM courses WHERE id = ?', [courseId])).toEqual(before);
    expect(await db.query('SELECT version FROM course_drafts WHERE course_id = ?', [courseId])).toEqual(
      draftBefore,
    );
    const list = await other.get('/author').expect(200);
    expect(list.text).not.toContain('Owner’s private course');
  });

  it('answers 403 to a learner on every authoring route, and sends visitors to sign in', async () => {
    const token = await tokenOf(learner);
    const all = [
      ...routes(),
      ['GET', '/author'],
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

  it('lets an owner add a co-author by email, who may then edit but not manage authors; removing them closes the door again', async () => {
    await other.get(`/author/courses/${courseId}`).expect(403);
    const notTrainer = await owner.submit(
      `/author/courses/${courseId}`,
      `/author/courses/${courseId}/authors`,
      { email: 'learner@example.pk' },
    );
    expect(notTrainer.status).toBe(400);
    expect(notTrainer.text).toContain('This account is not a trainer.');
    const added = await owner.submit(`/author/courses/${courseId}`, `/author/courses/${courseId}/authors`, {
      email: 'Other@Trainers.pk',
    });
    expect(added.status).toBe(303);

    const page = await other.get(`/author/courses/${courseId}`).expect(200);
    expect(page.text).toContain('Co-author');
    expect(
      (await saveLesson(other, courseId, lesson, { bodyMarkdown: 'Quote FOB first, then CIF.' })).status,
    ).toBe(303);
    const third = await signUp(t, 'third@trainers.pk', 'trainer');
    const refused = await other.submit(`/author/courses/${courseId}`, `/author/courses/${courseId}/authors`, {
      email: 'third@trainers.pk',
    });
    expect(refused.status).toBe(403);
    await third.get(`/author/courses/${courseId}`).expect(403);

    const [{ id: otherId }] = await db.query('SELECT id FROM users WHERE email = ?', ['other@trainers.pk']);
    const removed = await owner.submit(
      `/author/courses/${courseId}`,
      `/author/courses/${courseId}/authors/${otherId}/remove`,
      {},
    );
    expect(removed.status).toBe(303);
    await other.get(`/author/courses/${courseId}`).expect(403);
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
