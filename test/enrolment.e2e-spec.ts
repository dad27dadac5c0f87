import { DataSource } from 'typeorm';
import { Browser, startTestApp, TestApp } from './support/test-app';

const COURSE = 'alibaba-first-30-days';

describe('enrolment rules', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('enrolling twice leaves one enrolment', async () => {
    const browser = new Browser(t.server);
    await browser.register('Fatima Noor', 'fatima@example.pk');
    await browser.submit(`/courses/${COURSE}`, `/courses/${COURSE}/enrol`, {});
    const again = await browser.submit(`/courses/${COURSE}`, `/courses/${COURSE}/enrol`, {});
    expect(again.status).toBe(303);
    const [{ count }] = await t.app
      .get(DataSource)
      .query("SELECT COUNT(*) AS count FROM enrollments e JOIN users u ON u.id = e.user_id WHERE u.email = 'fatima@example.pk'");
    expect(Number(count)).toBe(1);
  });

  it('sends a learner who is not enrolled from a lesson to the course page', async () => {
    const browser = new Browser(t.server);
    await browser.register('Usman Tariq', 'usman@example.pk');
    const course = await browser.get(`/courses/${COURSE}`);
    expect(course.text).toContain('Enrol in this course');
    const lesson = await browser.get(`/courses/${COURSE}/modules/b2b-marketplaces`);
    expect(lesson.status).toBe(303);
    expect(lesson.headers.location).toBe(`/courses/${COURSE}?enrol=required`);
    const marking = await browser.submit(`/courses/${COURSE}`, `/courses/${COURSE}/modules/b2b-marketplaces/complete`, {});
    expect(marking.headers.location).toBe(`/courses/${COURSE}?enrol=required`);
  });

  it('shows a 404 page for an unknown course or lesson, and JSON to API clients', async () => {
    const browser = new Browser(t.server);
    const page = await browser.get('/courses/no-such-course').expect(404);
    expect(page.text).toContain('<h1>Page not found</h1>');
    expect(page.text).toContain('We could not find that course.');
    expect(page.text).not.toMatch(/Error:|at .*\.ts/);
    const json = await browser.get('/courses/no-such-course').set('Accept', 'application/json').expect(404);
    expect(json.body).toEqual({ statusCode: 404, error: 'errors.course_not_found', message: expect.stringContaining('could not find') });
    await browser.register('Nadia Aslam', 'nadia@example.pk');
    await browser.submit(`/courses/${COURSE}`, `/courses/${COURSE}/enrol`, {});
    await browser.get(`/courses/${COURSE}/modules/not-a-lesson`).expect(404);
  });

  it('filters the catalog by search words, level and language', async () => {
    const browser = new Browser(t.server);
    const all = await browser.get('/courses').expect(200);
    expect(all.text).toContain(`/courses/${COURSE}"`);
    const search = await browser.get('/courses?q=Alibaba').expect(200);
    expect(search.text).toContain(`/courses/${COURSE}"`);
    const none = await browser.get('/courses?q=zzzz-no-such-words').expect(200);
    // A typed % is a character to find, not a wildcard that matches every course.
    expect((await browser.get('/courses?q=%25').expect(200)).text).not.toContain(`/courses/${COURSE}"`);
    expect((await browser.get('/courses?q=first%2030').expect(200)).text).toContain(`/courses/${COURSE}"`);
    expect(none.text).toContain('No course matches your search.');
    const urdu = await browser.get('/courses?language=ur').expect(200);
    expect(urdu.text).not.toContain(`/courses/${COURSE}"`);
    expect(urdu.text).toContain(`/courses/${COURSE}-ur"`);
    const advanced = await browser.get('/courses?level=advanced').expect(200);
    expect(advanced.text).not.toContain(`/courses/${COURSE}"`);
  });
});
