import sharp from 'sharp';
import { DataSource } from 'typeorm';
import {
  addLesson,
  addQuestion,
  addQuiz,
  createCourse,
  emptyContentDir,
  postMultipart,
  progressRefreshed,
  publish,
  revisionFrom,
  saveLesson,
  signUp,
} from './support/authoring';
import { pngOf } from './support/images';
import { completeCourse, completeLessons } from './support/learning';
import { csrfFrom, startTestApp, TestApp } from './support/test-app';

// These suites boot the app several times and publish whole courses: longer than the project's 60 s on a busy MariaDB.
jest.setTimeout(120_000);

const GIFT = `// pasted from the trainer's notes
::fob-delivery:: Under FOB the seller's obligation ends once the goods are on board the vessel. {T}

::quote-currency:: A buyer in Hamburg asks for a price. In which currency do you quote? {=EUR =euro #Quote in the buyer's currency.}
`;

describe('a trainer builds a course in the browser, a learner completes it, and the trainer fixes it live', () => {
  let t: TestApp;
  let db: DataSource;

  beforeAll(async () => {
    t = await startTestApp({ CONTENT_DIR: emptyContentDir() });
    db = t.app.get(DataSource);
  });

  afterAll(async () => {
    await t?.close();
  });

  const enrolment = async (email: string) =>
    (
      await db.query(
        'SELECT e.status AS status, e.progress_percent AS progress, e.completed_at AS completedAt FROM enrollments e JOIN users u ON u.id = e.user_id WHERE u.email = ?',
        [email],
      )
    )[0];

  it('keeps every learner’s completion and progress through a republish', async () => {
    const trainer = await signUp(t, 'amina@trainers.pk', 'trainer');
    const id = await createCourse(trainer);
    const course = await trainer.get(`/author/courses/${id}`).expect(200);
    expect(course.text).toContain('Selling towels to Germany');
    expect(course.text).toContain('The course has no lessons.');

    // Two lessons: the first with a typo, the second with an image.
    const intro = await addLesson(trainer, id, 'Know your buyer');
    const pricing = await addLesson(trainer, id, 'Price in euros');
    expect([intro, pricing]).toEqual(['know-your-buyer', 'price-in-euros']);
    const saved = await saveLesson(trainer, id, intro, {
      minutes: '10',
      bodyMarkdown: '## Who buys\n\nGerman buyers want OEKO-TEX labels. Teh buyer checks them first.',
    });
    expect(saved.status).toBe(303);

    const editor = `/author/courses/${id}/lessons/${pricing}`;
    const png = pngOf(320, 200);
    const typed = '## A CIF quote\n\nWork out the price per piece, then add freight and insurance.';
    const page = await trainer.get(editor);
    const uploaded = await postMultipart(
      trainer,
      editor,
      editor,
      {
        action: 'upload',
        revision: revisionFrom(page.text),
        title: 'Price in euros',
        minutes: '15',
        required: 'on',
        bodyMarkdown: typed,
        imageAlt: 'A CIF quote sheet',
      },
      { field: 'image', name: 'quote.png', data: png, type: 'image/png' },
    );
    expect(uploaded.status).toBe(200);
    const imageUrl = /\/files\/lessons\/[0-9a-f]{32}-320x200\.webp/.exec(uploaded.text)?.[0] as string;
    expect(imageUrl).toBeDefined();
    // Nothing saved yet: the image's Markdown is added to what the trainer typed, in the form.
    expect(uploaded.text).toContain(
      `Work out the price per piece, then add freight and insurance.\n\n![A CIF quote sheet](${imageUrl})`,
    );
    const image = await trainer.get(imageUrl).expect(200);
    expect(image.headers['content-type']).toBe('image/webp');
    expect(image.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    // Re-encoded without loss: the same 320 × 200 mid-grey picture the trainer uploaded.
    const served = await sharp(image.body as Buffer).greyscale().raw().toBuffer({ resolveWithObject: true });
    expect([served.info.width, served.info.height]).toEqual([320, 200]);
    expect(new Set(served.data)).toEqual(new Set([0x80]));
    expect(
      (
        await saveLesson(trainer, id, pricing, {
          minutes: '15',
          bodyMarkdown: `${typed}\n\n![A CIF quote sheet](${imageUrl})`,
        })
      ).status,
    ).toBe(303);

    // The word count and reading time are shown while editing.
    expect((await trainer.get(`/author/courses/${id}/lessons/${intro}`)).text).toContain(
      '12 words, about 1 min to read.',
    );

    // The Preview button renders what was typed with the learner page's sanitizer, without saving.
    const editorPage = await trainer.get(editor);
    const previewed = await trainer.agent
      .post(editor)
      .type('form')
      .send({
        _csrf: csrfFrom(editorPage.text),
        revision: revisionFrom(editorPage.text),
        action: 'preview',
        title: 'Price in euros',
        minutes: '15',
        bodyMarkdown: 'Quote **FOB Karachi** first.',
      });
    expect(previewed.status).toBe(200);
    expect(previewed.text).toContain('<p>Quote <strong>FOB Karachi</strong> first.</p>');

    // A final quiz: one question by form, two pasted as GIFT (previewed first).
    const final = await addQuiz(trainer, id, 'Final check', 'final');
    expect(final).toBe('final');
    const byForm = await addQuestion(trainer, id, final, 'single', {
      text: 'Under CIF, who buys the marine insurance?',
      'options[0][text]': 'The seller',
      'options[0][feedback]': 'Right: CIF includes insurance.',
      'options[1][text]': 'The buyer',
      'options[2][text]': '',
      correct: '0',
    });
    expect(byForm.status).toBe(303);
    const quizPage = `/author/courses/${id}/quizzes/${final}`;
    const quiz = await trainer.get(quizPage);
    const preview = await postMultipart(trainer, quizPage, `${quizPage}/gift`, {
      action: 'preview',
      mode: 'add',
      revision: revisionFrom(quiz.text),
      gift: GIFT,
    });
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('Questions that will be imported');
    expect(preview.text).toContain('fob-delivery');
    expect(preview.text).toContain('quote-currency');
    const imported = await postMultipart(trainer, quizPage, `${quizPage}/gift`, {
      action: 'import',
      mode: 'add',
      revision: revisionFrom(quiz.text),
      gift: GIFT,
    });
    expect(imported.status).toBe(303);
    const built = await trainer.get(quizPage);
    expect(built.text).toContain('3 questions');
    const exported = await trainer.get(`${quizPage}/export.gift`).expect(200);
    expect(exported.text).toContain('::fob-delivery::');
    expect(exported.text).toContain('Under CIF, who buys the marine insurance?');

    // Preview as learner, through the learner's templates.
    const coursePreview = await trainer.get(`/author/courses/${id}/preview`).expect(200);
    expect(coursePreview.text).toContain('Know your buyer');
    expect(coursePreview.text).toContain(`href="/author/courses/${id}/preview/lessons/${intro}"`);
    const lessonPreview = await trainer.get(`/author/courses/${id}/preview/lessons/${pricing}`).expect(200);
    expect(lessonPreview.text).toMatch(
      new RegExp(
        `<img src="${imageUrl}" alt="A CIF quote sheet" (width="320" height="200" loading="lazy"|loading="lazy" width="320" height="200")`,
      ),
    );
    expect(lessonPreview.text).not.toContain('/complete');

    // Publish: the course is in the catalog.
    const published = await publish(trainer, id);
    expect(published.status).toBe(303);
    expect(published.headers.location).toBe(`/author/courses/${id}?done=published`);
    const slug = 'selling-towels-to-germany';
    await trainer.get(`/courses/${slug}`).expect(200);

    // One learner completes the course; another is halfway.
    const bilal = await signUp(t, 'bilal@towels.pk');
    const { result } = await completeCourse(t, bilal, slug, final);
    expect(result.text).toContain('Your score: 100%');
    const completed = await enrolment('bilal@towels.pk');
    expect(completed.status).toBe('completed');
    expect(completed.completedAt).not.toBeNull();
    expect(Number(completed.progress)).toBe(100);
    const sana = await signUp(t, 'sana@towels.pk');
    await sana.submit(`/courses/${slug}`, `/courses/${slug}/enrol`, {});
    await sana.submit(`/courses/${slug}/modules/${intro}`, `/courses/${slug}/modules/${intro}/complete`, {});
    expect(Number((await enrolment('sana@towels.pk')).progress)).toBe(33); // 1 of 2 lessons + the final
    const [introRow] = await db.query('SELECT id FROM course_modules WHERE slug = ?', [intro]);

    // The trainer fixes the typo and adds an optional lesson, then republishes.
    expect(
      (
        await saveLesson(trainer, id, intro, {
          bodyMarkdown: '## Who buys\n\nGerman buyers want OEKO-TEX labels. The buyer checks them first.',
        })
      ).status,
    ).toBe(303);
    const extra = await addLesson(trainer, id, 'Extra: trade fairs');
    expect(
      (
        await saveLesson(trainer, id, extra, {
          required: false,
          minutes: '5',
          bodyMarkdown: 'Heimtextil in Frankfurt is where towel buyers meet.',
        })
      ).status,
    ).toBe(303);
    const overview = await trainer.get(`/author/courses/${id}`);
    expect(overview.text).toContain('unpublished changes');
    expect(overview.text).toMatch(
      /Extra: trade fairs<\/a> <span class="meta">\(optional\)<\/span><\/td>\s*<td>5<\/td>/,
    );
    expect((await publish(trainer, id)).status).toBe(303);
    await progressRefreshed(t, id);

    const after = await enrolment('bilal@towels.pk');
    expect(after.status).toBe('completed');
    expect(new Date(after.completedAt).getTime()).toBe(new Date(completed.completedAt).getTime());
    expect(Number(after.progress)).toBe(100);
    expect(Number((await enrolment('sana@towels.pk')).progress)).toBe(33);
    const [introAfter] = await db.query('SELECT id FROM course_modules WHERE slug = ?', [intro]);
    expect(introAfter.id).toBe(introRow.id);
    const lesson = await sana.get(`/courses/${slug}/modules/${intro}`).expect(200);
    expect(lesson.text).toContain('The buyer checks them first.');
    expect(lesson.text).not.toContain('Teh buyer');
    expect((await sana.get(`/courses/${slug}`)).text).toContain('Extra: trade fairs');

    // A new required lesson re-opens the course only for those who have not completed it.
    const compliance = await addLesson(trainer, id, 'Labels and compliance');
    expect(
      (
        await saveLesson(trainer, id, compliance, {
          minutes: '10',
          bodyMarkdown: 'Check REACH before you ship.',
        })
      ).status,
    ).toBe(303);
    expect((await publish(trainer, id)).status).toBe(303);
    await progressRefreshed(t, id);
    expect((await enrolment('bilal@towels.pk')).status).toBe('completed');
    expect(Number((await enrolment('sana@towels.pk')).progress)).toBe(25); // 1 of 3 lessons + the final
    await completeLessons(sana, slug);
    expect(Number((await enrolment('sana@towels.pk')).progress)).toBe(75);

    // Everything above is in the audit trail, which only administrators can read.
    await trainer.get('/admin/audit').expect(403);
    const admin = await signUp(t, 'admin@exportready.pk', 'admin');
    const audit = await admin.get('/admin/audit').expect(200);
    for (const action of [
      'created the course',
      'added a lesson',
      'edited a lesson',
      'uploaded an image',
      'added a question',
      'imported GIFT questions',
      'published',
    ]) {
      expect(audit.text).toContain(action);
    }
    expect(audit.text).toContain('amina@trainers.pk');
  });
});
