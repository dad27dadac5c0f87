import { DataSource } from 'typeorm';
import { completeCourse, lessonSlugs, takeQuiz } from './support/learning';
import { Browser, startTestApp, TestApp } from './support/test-app';

const COURSE = 'alibaba-first-30-days';

describe('a learner signs up, enrols, reads every lesson and completes the course', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('goes from the catalog to a completed course with a 100% dashboard', async () => {
    const browser = new Browser(t.server);

    const catalog = await browser.get('/courses').expect(200);
    expect(catalog.text).toContain(`href="/courses/${COURSE}"`);

    await browser.register('Ayesha Khan', 'ayesha@example.pk');
    const loginAgain = new Browser(t.server);
    const login = await loginAgain.login('ayesha@example.pk');
    expect(login.status).toBe(303);
    expect(String(login.headers['set-cookie'])).toMatch(/er\.sid=.*HttpOnly.*SameSite=Lax/i);

    const coursePage = await loginAgain.get(`/courses/${COURSE}`).expect(200);
    const lessonLinks = [...coursePage.text.matchAll(/<li>\s*([^<]+?)\s*<span class="meta">/g)];
    expect(lessonLinks.length).toBeGreaterThanOrEqual(4);

    const enrol = await loginAgain.submit(`/courses/${COURSE}`, `/courses/${COURSE}/enrol`, {});
    expect(enrol.status).toBe(303);
    let next: string | undefined = enrol.headers.location;
    expect(next).toMatch(new RegExp(`^/courses/${COURSE}/modules/`));

    const visited: string[] = [];
    let lastPercent = -1;
    while (next && next.includes('/modules/')) {
      const lesson = await loginAgain.get(next).expect(200);
      expect(lesson.text).toMatch(/<div class="prose">[\s\S]*<h2>/);
      expect(lesson.text).toMatch(/<progress id="lesson-progress" max="100" value="(\d+)"/);
      const percent = Number(/<progress id="lesson-progress" max="100" value="(\d+)"/.exec(lesson.text)?.[1]);
      expect(percent).toBeGreaterThan(lastPercent);
      lastPercent = percent;
      visited.push(next);
      const done = await loginAgain.submit(next, `${next}/complete`, {});
      expect(done.status).toBe(303);
      next = done.headers.location;
    }
    // All lessons done: the course now waits for the final assessment.
    expect(next).toBe(`/courses/${COURSE}`);
    expect(visited.length).toBe(lessonLinks.length);
    const waiting = await loginAgain.get(`/courses/${COURSE}`).expect(200);
    expect(waiting.text).toContain('Pass the final assessment to complete the course.');
    expect((await loginAgain.get('/dashboard')).text).not.toContain('value="100"');

    const { result } = await takeQuiz(t, loginAgain, COURSE, 'final', 'correct');
    expect(result.text).toContain('Your score: 100%');
    expect(result.text).toContain('You have completed the course.');

    const finished = await loginAgain.get(`/courses/${COURSE}`).expect(200);
    expect(finished.text).toContain('You completed this course on');

    const dashboard = await loginAgain.get('/dashboard').expect(200);
    expect(dashboard.text).toContain('value="100"');
    expect(dashboard.text).toContain('You completed this course on');
  });

  it('records the completion once, however often the last lesson is marked', async () => {
    const browser = new Browser(t.server);
    await browser.register('Bilal Ahmed', 'bilal@example.pk');
    await browser.submit(`/courses/${COURSE}`, `/courses/${COURSE}/enrol`, {});
    const unique = lessonSlugs((await browser.get(`/courses/${COURSE}`)).text, COURSE);
    await completeCourse(t, browser, COURSE);
    const firstCompletion = (await browser.get('/dashboard')).text.match(/You completed this course on ([^.]+)\./)?.[1];
    const again = await browser.submit(`/courses/${COURSE}/modules/${unique[0]}`, `/courses/${COURSE}/modules/${unique[0]}/complete`, {});
    expect(again.status).toBe(303);
    const dataSource = t.app.get(DataSource);
    const completed = await dataSource.query(
      "SELECT e.completed_at FROM enrollments e JOIN users u ON u.id = e.user_id WHERE u.email = 'bilal@example.pk'",
    );
    expect(completed).toHaveLength(1);
    expect(completed[0].completed_at).not.toBeNull();
    expect((await browser.get('/dashboard')).text).toContain(`You completed this course on ${firstCompletion}.`);
  });
});
