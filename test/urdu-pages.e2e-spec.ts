import { catalogKeys, I18nService } from '../src/i18n/i18n.service';
import { takeQuiz } from './support/learning';
import { Browser, csrfFrom, setRole, startTestApp, TestApp } from './support/test-app';

const COURSE = 'alibaba-first-30-days-ur';
const i18n = new I18nService();

/** Every English interface string, split at its placeholders into the pieces that would show. */
const englishFragments = catalogKeys(i18n.catalog('en'))
  .map((key) => i18n.translate('en', key))
  .filter((text) => text !== i18n.translate('ur', catalogKeys(i18n.catalog('en')).find((k) => i18n.translate('en', k) === text) as string))
  .flatMap((text) => text.split(/\{\w+\}/))
  .map((piece) => piece.trim())
  .filter((piece) => /[A-Za-z]{3,}/.test(piece));

function visibleText(html: string): string {
  return html
    .replace(/<head>[\s\S]*?<\/head>/, '')
    // Lesson bodies are the trainer's text: Urdu lessons keep trade terms (RFQ, MOQ, "Main image") in English.
    .replace(/<div class="prose">[\s\S]*?<\/div>/, '')
    .replace(/<[^>]*\blang="en"[^>]*>[^<]*/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&[a-z#0-9]+;/gi, ' ');
}

function expectUrduPage(html: string, path: string) {
  expect({ path, lang: /<html lang="(\w+)" dir="(\w+)">/.exec(html)?.slice(1) }).toEqual({ path, lang: ['ur', 'rtl'] });
  expect({ path, missingKeys: html.match(/\[[a-z_]+\.[a-z_.]+\]/g) ?? [] }).toEqual({ path, missingKeys: [] });
  const text = visibleText(html);
  const shows = (piece: string) => new RegExp(`\\b${piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(text);
  expect({ path, english: englishFragments.filter(shows) }).toEqual({ path, english: [] });
}

describe('the learner path in Urdu', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('renders every page right to left with no English interface text left', async () => {
    const browser = new Browser(t.server);
    const switched = await browser.get('/locale/ur?next=/courses');
    expect(switched.status).toBe(303);

    const anonymous = ['/', '/courses', `/courses/${COURSE}`, '/register', '/login', '/courses/no-such-course'];
    for (const path of anonymous) expectUrduPage((await browser.get(path)).text, path);

    const wrongLogin = await browser.submit('/login', '/login', { email: 'x@example.pk', password: 'wrong password!' });
    expectUrduPage(wrongLogin.text, 'POST /login (wrong)');
    const invalid = await browser.submit('/register', '/register', { name: '', email: 'not-an-email', password: 'short', locale: 'ur' });
    expectUrduPage(invalid.text, 'POST /register (invalid)');

    await browser.register('عائشہ خان', 'ayesha.ur@example.pk', 'a long enough passphrase', 'ur');
    await browser.submit(`/courses/${COURSE}`, `/courses/${COURSE}/enrol`, {});
    const course = await browser.get(`/courses/${COURSE}`);
    expectUrduPage(course.text, `/courses/${COURSE}`);
    const lessons = [...new Set([...course.text.matchAll(new RegExp(`/courses/${COURSE}/modules/([a-z0-9-]+)`, 'g'))].map((m) => m[1]))];
    expect(lessons.length).toBeGreaterThanOrEqual(4);
    for (const lesson of lessons) {
      const path = `/courses/${COURSE}/modules/${lesson}`;
      expectUrduPage((await browser.get(path)).text, path);
      await browser.submit(path, `${path}/complete`, {});
    }
    const quizBase = `/courses/${COURSE}/quizzes/final`;
    expectUrduPage((await browser.get(quizBase)).text, quizBase);
    const started = await browser.submit(quizBase, `${quizBase}/attempts`, {});
    const attemptUrl = (started.headers.location as string).replace(/\?.*$/, '');
    expectUrduPage((await browser.get(`${attemptUrl}?q=1`)).text, 'quiz question');
    expectUrduPage((await browser.get(attemptUrl)).text, 'quiz overview');
    const overview = await browser.get(attemptUrl);
    await browser.agent.post(`${attemptUrl}/submit`).type('form').send({ _csrf: csrfFrom(overview.text) });
    expectUrduPage((await browser.get(`${attemptUrl}/result`)).text, 'quiz result (failed, empty)');
    const { result } = await takeQuiz(t, browser, COURSE, 'final', 'correct');
    expectUrduPage(result.text, 'quiz result (passed)');
    for (const path of ['/dashboard', '/account', `/courses/${COURSE}`, '/manage', '/admin/users']) {
      expectUrduPage((await browser.get(path)).text, path);
    }
    expect((await browser.get('/dashboard')).text).toContain('value="100"');
    // The same account as an admin: authoring, programme management and the public verification pages.
    await setRole(t, 'ayesha.ur@example.pk', 'admin');
    for (const path of ['/author', '/author/grading', '/manage', '/manage/certificates', '/admin/users', '/admin/audit', '/verify', '/verify/ER-2026-999999']) {
      expectUrduPage((await browser.get(path)).text, path);
    }
    const csrf = await browser.agent.post('/account').type('form').send({ name: 'x' });
    expect(csrf.status).toBe(403);
    expectUrduPage(csrf.text, 'POST /account without token');
  });

  it('keeps the language on the account when a signed-in learner switches it', async () => {
    const browser = new Browser(t.server);
    await browser.register('Imran', 'imran@example.pk', 'a long enough passphrase', 'en');
    const page = await browser.get('/courses');
    expect(page.text).toContain('<html lang="en" dir="ltr">');
    await browser.submit('/courses', '/locale', { locale: 'ur', next: '/courses' });
    const other = new Browser(t.server);
    await other.login('imran@example.pk');
    expect((await other.get('/courses')).text).toContain('<html lang="ur" dir="rtl">');
  });
});
