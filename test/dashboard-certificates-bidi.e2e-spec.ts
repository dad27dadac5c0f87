import { DataSource } from 'typeorm';
import { Certificate } from '../src/certificates/certificate.entity';
import { Browser, startTestApp, TestApp } from './support/test-app';

const URDU_TITLE = 'Alibaba.com پر فروخت: آپ کے پہلے 30 دن';
const ENGLISH_TITLE = 'Getting paid safely';
let serials = 0;

/** The dashboard's certificate section as a learner whose certificates were just issued sees it. */
describe('certificate titles on the dashboard keep their own direction', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  async function learnerWithCertificates(email: string, locale: string): Promise<Browser> {
    const browser = new Browser(t.server);
    await browser.register('Ayesha Khan', email, undefined, locale);
    const db = t.app.get(DataSource);
    const [user] = await db.query('SELECT id FROM users WHERE email = ?', [email]);
    const courses: { id: number; slug: string }[] = await db.query(
      "SELECT id, slug FROM courses WHERE slug IN ('alibaba-first-30-days-ur', 'getting-paid-safely')",
    );
    const now = new Date();
    for (const [slug, title] of [
      ['alibaba-first-30-days-ur', URDU_TITLE],
      ['getting-paid-safely', ENGLISH_TITLE],
    ]) {
      await db.getRepository(Certificate).save({
        serial: `ER-2026-90000${(serials += 1)}`,
        userId: Number(user.id),
        courseId: Number(courses.find((c) => c.slug === slug)?.id),
        status: 'issued',
        holderName: 'Ayesha Khan',
        courseTitle: title,
        studyMinutes: 300,
        completedAt: now,
        issuedAt: now,
        createdAt: now,
        updatedAt: now,
      });
    }
    return browser;
  }

  it.each([
    ['Urdu', 'ayesha.ur@example.pk', 'ur', 'آپ کا سرٹیفکیٹ تیار ہے:'],
    ['English', 'ayesha.en@example.pk', 'en', 'Your certificate is ready:'],
  ])(
    'on the %s dashboard: notice and card heading follow the page, each title isolated in its own direction',
    async (_, email, locale, ready) => {
      const browser = await learnerWithCertificates(email, locale);
      const html = (await browser.get('/dashboard').expect(200)).text;
      const section = /<section class="my-certificates"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
      expect(section).not.toContain('dir="auto"');
      expect(section).toContain(`<p>${ready} <bdi dir="rtl">${URDU_TITLE}</bdi></p>`);
      expect(section).toContain(`<p>${ready} <bdi dir="ltr">${ENGLISH_TITLE}</bdi></p>`);
      expect(section).toContain(`<h3><bdi dir="rtl">${URDU_TITLE}</bdi></h3>`);
      expect(section).toContain(`<h3><bdi dir="ltr">${ENGLISH_TITLE}</bdi></h3>`);
    },
  );
});
