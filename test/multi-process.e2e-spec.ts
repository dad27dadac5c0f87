import { DataSource } from 'typeorm';
import { addLesson, addQuestion, addQuiz, createCourse, publish, saveLesson, signUp } from './support/authoring';
import { freePort, RoleProcess, waitFor } from './support/certificates';
import { completeCourse, lessonSlugs, takeQuiz } from './support/learning';
import { Browser, setRole, startTestApp, TestApp } from './support/test-app';

/**
 * Two web processes on one database and one Redis, as in production behind a load balancer:
 * this test's app, and a second `main.ts web` process. Each keeps course structure, signed-in
 * accounts and sessions in memory; a change made through one must show in the other at once.
 */
let t: TestApp;
let other: RoleProcess;
let otherUrl: string;

beforeAll(async () => {
  t = await startTestApp();
  const port = await freePort();
  other = RoleProcess.start(t, 'web', { PORT: String(port) });
  await other.waitForLog(/ExportReady \(web\) on/);
  otherUrl = `http://127.0.0.1:${port}`;
}, 120_000);

afterAll(async () => {
  await other?.kill('SIGTERM');
  await t?.close();
});

/** How long until `check` holds, polling every 5 ms; fails after a second (not "at once"). */
async function msUntil(check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  await waitFor('the other process to see the change', async () => (await check()) || null, 1000, 5);
  return Date.now() - started;
}

describe('two web processes', () => {
  it('a course published through one process is in the other one\'s catalog and pages at once', async () => {
    const trainer = await signUp(t, 'publisher@example.pk', 'trainer');
    const courseId = await createCourse(trainer, { title: 'Quoting in euros from Sialkot' });
    const lesson = await addLesson(trainer, courseId, 'Incoterms for a first quote');
    await saveLesson(trainer, courseId, lesson, { bodyMarkdown: 'Quote **FOB Karachi** first.' });
    const final = await addQuiz(trainer, courseId, 'Final check', 'final');
    await addQuestion(trainer, courseId, final, 'single', {
      text: 'Under CIF, who buys the marine insurance?',
      'options[0][text]': 'The seller',
      'options[1][text]': 'The buyer',
      correct: '0',
    });
    const [{ slug }] = await t.app.get(DataSource).query('SELECT slug FROM courses WHERE id = ?', [courseId]);

    const visitor = new Browser(otherUrl as never);
    // The other process has the catalog and the (missing) course in its caches.
    expect((await visitor.get('/courses')).text).not.toContain('Quoting in euros from Sialkot');
    expect((await visitor.get('/courses')).text).not.toContain('Quoting in euros from Sialkot');
    expect((await visitor.get(`/courses/${slug}`)).status).toBe(404);
    expect((await visitor.get(`/courses/${slug}`)).status).toBe(404);

    expect((await publish(trainer, courseId)).status).toBe(303);
    await msUntil(async () => (await visitor.get('/courses')).text.includes('Quoting in euros from Sialkot'));
    const page = await visitor.get(`/courses/${slug}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Incoterms for a first quote');

    // A learner of the other process reads the lesson (its body is now cached there)…
    const learner = new Browser(otherUrl as never);
    await learner.register('Bilal Learner', 'bilal@example.pk');
    await learner.submit(`/courses/${slug}`, `/courses/${slug}/enrol`, {});
    const lessonPath = `/courses/${slug}/modules/${lesson}`;
    expect((await learner.get(lessonPath)).text).toContain('<strong>FOB Karachi</strong>');
    expect((await learner.get(lessonPath)).text).toContain('<strong>FOB Karachi</strong>');
    // …and sees the next version as soon as the trainer publishes it through this process.
    await saveLesson(trainer, courseId, lesson, { bodyMarkdown: 'Quote **CIF Hamburg** when the buyer asks.' });
    expect((await publish(trainer, courseId)).status).toBe(303);
    await msUntil(async () => (await learner.get(lessonPath)).text.includes('<strong>CIF Hamburg</strong>'));
  });

  it('a role given through one process applies in the other at once', async () => {
    const person = new Browser(otherUrl as never);
    await person.register('Saima Manager', 'saima@example.pk');
    // Signed in through the other process, which now has the account in its cache.
    expect((await person.get('/manage')).status).toBe(403);
    expect((await person.get('/manage')).status).toBe(403);

    await setRole(t, 'saima@example.pk', 'manager');
    await msUntil(async () => (await person.get('/manage')).status === 200);
  });

  it('a quiz passed through one process shows as passed on the course page of the other at once', async () => {
    const here = new Browser(t.server);
    const signedIn = await here.register('Farah Exporter', 'farah@example.pk');
    const cookie = /er\.sid=[^;]+/.exec(String(signedIn.headers['set-cookie']))?.[0];
    const there = new Browser(otherUrl as never, { cookie: cookie! });
    const coursePage = '/courses/listings-that-sell';
    await there.submit(coursePage, `${coursePage}/enrol`, {});
    // The other process keeps the learner's (no) attempts in memory.
    for (let i = 0; i < 2; i++) expect((await there.get(coursePage)).text).not.toContain('<strong>passed</strong>');

    const { result } = await takeQuiz(t, here, 'listings-that-sell', 'final', 'correct');
    expect(result.status).toBe(200);
    expect((await there.get(coursePage)).text).toContain('<strong>passed</strong>');
  });

  it("a certificate issued by the worker shows on the learner's dashboard in the other web process at once", async () => {
    const here = new Browser(t.server);
    const signedIn = await here.register('Hina Weaver', 'hina@example.pk');
    const cookie = /er\.sid=[^;]+/.exec(String(signedIn.headers['set-cookie']))?.[0];
    const there = new Browser(otherUrl as never, { cookie: cookie! });
    // The other process keeps the learner's (empty) certificate list in memory.
    for (let i = 0; i < 2; i++) expect((await there.get('/dashboard')).text).not.toContain('my-certificates');

    await completeCourse(t, here, 'getting-paid-safely');
    const db = t.app.get(DataSource);
    await waitFor('the certificate to be issued', async () => {
      const [row] = await db.query("SELECT c.serial FROM certificates c JOIN users u ON u.id = c.user_id WHERE u.email = ? AND c.status = 'issued'", ['hina@example.pk']);
      return row?.serial ?? null;
    }, 30_000);
    await msUntil(async () => (await there.get('/dashboard')).text.includes('my-certificates'));
  });

  it("a lesson completed through one process shows on the other's course page and dashboard at once", async () => {
    const here = new Browser(t.server);
    const signedIn = await here.register('Sana Stitcher', 'sana@example.pk');
    const cookie = /er\.sid=[^;]+/.exec(String(signedIn.headers['set-cookie']))?.[0];
    const there = new Browser(otherUrl as never, { cookie: cookie! });
    const coursePage = '/courses/getting-paid-safely';
    await there.submit(coursePage, `${coursePage}/enrol`, {});
    // The other process keeps the learner's enrolments and progress in memory.
    for (let i = 0; i < 2; i++) {
      expect((await there.get(coursePage)).text).not.toContain('<strong>done</strong>');
      expect((await there.get('/dashboard')).text).toMatch(/<progress [^>]*value="0"/);
    }

    const [lesson] = lessonSlugs((await here.get(coursePage)).text, 'getting-paid-safely');
    const lessonPath = `${coursePage}/modules/${lesson}`;
    expect((await here.submit(lessonPath, `${lessonPath}/complete`, {})).status).toBe(303);
    await msUntil(async () => (await there.get(coursePage)).text.includes('<strong>done</strong>'));
    expect((await there.get('/dashboard')).text).not.toMatch(/<progress [^>]*value="0"/);
  });

  it('signing out through one process ends the session in the other before the next request', async () => {
    const here = new Browser(t.server);
    const signedIn = await here.register('Nadia Seller', 'nadia@example.pk');
    const cookie = /er\.sid=[^;]+/.exec(String(signedIn.headers['set-cookie']))?.[0];
    expect(cookie).toBeDefined();
    // The other process serves the same browser and keeps the session in memory.
    const there = new Browser(otherUrl as never, { cookie: cookie! });
    expect((await there.get('/dashboard')).status).toBe(200);
    expect((await there.get('/dashboard')).status).toBe(200);

    expect((await here.submit('/dashboard', '/logout', {})).status).toBe(303);
    const after = await there.get('/dashboard');
    expect(after.status).not.toBe(200);
    expect(after.headers.location).toMatch(/^\/login/);
  });
});
