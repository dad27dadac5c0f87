import { DataSource } from 'typeorm';
import { ContentService } from '../src/content/content.service';
import { listCourseFolders } from '../src/content/content-loader';
import { QuizQuestion } from '../src/quizzes/entities/quiz-question.entity';
import { Quiz } from '../src/quizzes/entities/quiz.entity';
import { takeQuiz } from './support/learning';
import { Browser, startTestApp, TestApp } from './support/test-app';

/** Every course shipped in content/ is importable, and every final assessment is gradable both ways. */
describe('the shipped curriculum', () => {
  let t: TestApp;
  const slugs = listCourseFolders(`${__dirname}/../content`).map((folder) => folder.split('/').pop() as string);

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('imports all seven courses without a problem, and the catalog lists them in both languages', async () => {
    expect(slugs).toHaveLength(7);
    const report = await t.app.get(ContentService).importAll();
    expect(report.failed).toEqual([]);
    const english = await new Browser(t.server).get('/courses');
    const urdu = await new Browser(t.server, { 'Accept-Language': 'ur' }).get('/courses');
    for (const slug of slugs) {
      expect(english.text).toContain(`href="/courses/${slug}"`);
      expect(urdu.text).toContain(`href="/courses/${slug}"`);
    }
    expect(urdu.text).toContain('<html lang="ur" dir="rtl">');
  });

  it('gives every course a final pool of at least 30 items, every item with feedback', async () => {
    const db = t.app.get(DataSource);
    for (const slug of slugs) {
      const [course] = await db.query('SELECT id FROM courses WHERE slug = ?', [slug]);
      const final = await db.getRepository(Quiz).findOneByOrFail({ courseId: course.id, isFinal: true });
      const pool = await db.getRepository(QuizQuestion).findBy({ quizId: final.id });
      expect({ slug, pool: pool.length >= 30 }).toEqual({ slug, pool: true });
      const withoutFeedback = pool.filter((q) => !q.definition.generalFeedback?.trim()).map((q) => q.name);
      expect({ slug, withoutFeedback }).toEqual({ slug, withoutFeedback: [] });
    }
  });

  it.each([
    'alibaba-first-30-days',
    'alibaba-first-30-days-ur',
    'listings-that-sell',
    'pricing-quotations-incoterms',
    'getting-paid-safely',
    'shipping-export-documents',
    'textile-apparel-compliance',
  ])('%s: the final fails with all-wrong answers and passes with the keys', async (slug) => {
    const browser = new Browser(t.server);
    await browser.register('Learner', `${slug}@example.pk`);
    await browser.submit(`/courses/${slug}`, `/courses/${slug}/enrol`, {});
    const wrong = await takeQuiz(t, browser, slug, 'final', 'wrong');
    expect(wrong.result.text).toMatch(/Not passed this time|اس بار کامیابی نہیں ہوئی/);
    const right = await takeQuiz(t, browser, slug, 'final', 'correct');
    expect(right.result.text).toMatch(/100%|100٪/);
    expect(right.result.text).toMatch(/You passed|آپ کامیاب ہو گئے/);
  });
});
