import { existsSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { DataSource } from 'typeorm';
import { CourseExportService } from '../src/authoring/course-export.service';
import { loadCourseFolder } from '../src/content/content-loader';
import { ContentService } from '../src/content/content.service';
import {
  addLesson,
  addQuestion,
  addQuiz,
  courseIdOf,
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
import { Browser, csrfFrom, startTestApp, TestApp } from './support/test-app';

// These suites boot the app several times and publish whole courses: longer than the project's 60 s on a busy MariaDB.
jest.setTimeout(120_000);

const SLUG = 'listings-that-convert';

const FINAL_GIFT = `$CATEGORY: listings

::title-length:: How many characters should an Alibaba product title use at most? {#=128:0 =%50%100..127}

::main-image:: The main image should show the product on a plain white background. {TRUE #Check the guidelines again. #Right.}

::keyword-place:: Where do buyers' search keywords matter most? {
  =In the product title #Titles weigh most in search.
  ~In the company profile
  ~In the shipping template
}
`;

/** The live course as stored: everything that makes it "the same course", without ids and timestamps. */
async function liveCourse(db: DataSource, slug: string) {
  const [course] = await db.query(
    'SELECT id, slug, title, summary, language, level, estimated_minutes AS minutes, outcomes, cover_image AS cover, status FROM courses WHERE slug = ?',
    [slug],
  );
  const modules = await db.query(
    'SELECT id, slug, position, title, minutes, required, body_markdown AS markdown, body_html AS html FROM course_modules WHERE course_id = ? AND removed_at IS NULL ORDER BY position',
    [course.id],
  );
  const quizzes = await db.query(
    `SELECT q.id, q.slug, q.title, m.slug AS module, q.is_final AS isFinal, q.required, q.pass_mark AS passMark, q.max_attempts AS attempts,
            q.time_limit_seconds AS timeLimit, q.draw_count AS draw, q.shuffle_questions AS shuffleQuestions, q.shuffle_options AS shuffleOptions,
            q.grading, q.review
       FROM quizzes q LEFT JOIN course_modules m ON m.id = q.module_id WHERE q.course_id = ? AND q.removed_at IS NULL ORDER BY q.slug`,
    [course.id],
  );
  for (const quiz of quizzes) {
    const questions = await db.query(
      'SELECT name, position, type, definition FROM quiz_questions WHERE quiz_id = ? AND removed_at IS NULL ORDER BY position',
      [quiz.id],
    );
    quiz.questions = questions.map((q: { definition: string }) => ({
      ...q,
      definition: JSON.parse(q.definition),
    }));
    delete quiz.id;
  }
  const { id: _id, ...rest } = course;
  return {
    ...rest,
    outcomes: JSON.parse(course.outcomes),
    modules: modules.map(({ id: _m, ...m }: { id: number }) => m),
    quizzes,
  };
}

describe('content/ round trip: a course built in the browser, exported and imported into an empty database, is the same course', () => {
  let t: TestApp;
  const root = emptyContentDir();

  afterAll(async () => {
    await t?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('exports the course as a content/ folder and imports it elsewhere unchanged; a changed folder is a new revision that keeps progress', async () => {
    t = await startTestApp({ CONTENT_DIR: emptyContentDir() });
    const trainer = await signUp(t, 'nadia@trainers.pk', 'trainer');
    const id = await createCourse(trainer, {
      title: 'Listings that convert: titles, photos and keywords',
      slug: SLUG,
      level: 'intermediate',
      hours: '1.5',
      outcomes:
        'Write a product title buyers find\n- Choose a main image that passes review\nPick keywords from real searches',
    });
    const titles = await addLesson(trainer, id, 'Titles: what buyers type');
    const photos = await addLesson(trainer, id, 'Photos (optional extra)');
    const keywords = await addLesson(trainer, id, 'Keywords');

    // An image, a table and a link in the first lesson.
    const editor = `/author/courses/${id}/lessons/${titles}`;
    const page = await trainer.get(editor);
    const uploaded = await postMultipart(
      trainer,
      editor,
      editor,
      {
        action: 'upload',
        revision: revisionFrom(page.text),
        title: 'x',
        minutes: '1',
        bodyMarkdown: '',
        imageAlt: 'A good title',
      },
      { field: 'image', name: 'title.png', data: pngOf(64, 48), type: 'image/png' },
    );
    const imageUrl = /\/files\/lessons\/[0-9a-f]{32}-64x48\.webp/.exec(uploaded.text)?.[0] as string;
    const titlesText = [
      '## The formula',
      'Brand + product + material + size. See [Alibaba’s guide](https://www.alibaba.com/help) — “quotes” & colons: fine.',
      '| Part | Example |\n|---|---|\n| Product | Bath towel |',
      `![A good title](${imageUrl})`,
    ].join('\n\n');
    expect(
      (
        await saveLesson(trainer, id, titles, {
          title: 'Titles: what buyers type',
          minutes: '12',
          bodyMarkdown: titlesText,
        })
      ).status,
    ).toBe(303);
    expect(
      (
        await saveLesson(trainer, id, photos, {
          minutes: '7',
          required: false,
          bodyMarkdown: 'White background, 800 × 800 pixels or more.',
        })
      ).status,
    ).toBe(303);
    expect(
      (
        await saveLesson(trainer, id, keywords, {
          minutes: '9',
          bodyMarkdown: '## Where to find them\n\nUse the search bar suggestions.',
        })
      ).status,
    ).toBe(303);

    // A check after the first lesson, with every setting changed, and questions of every type through the forms.
    const check = await addQuiz(trainer, id, 'Check: titles', titles);
    const checkPage = `/author/courses/${id}/quizzes/${check}`;
    const settings = await trainer.get(checkPage);
    const savedSettings = await trainer.agent
      .post(checkPage)
      .type('form')
      .send({
        _csrf: csrfFrom(settings.text),
        revision: revisionFrom(settings.text),
        title: 'Check: titles',
        placement: titles,
        required: 'on',
        passMark: '60',
        attempts: '3',
        timeLimitMinutes: '20',
        draw: '4',
        grading: 'latest',
        review: 'wrong',
      });
    expect(savedSettings.status).toBe(303);
    const questions: [string, Record<string, string>][] = [
      [
        'multiple',
        {
          text: 'Which belong in a title?',
          'options[0][text]': 'Material',
          'options[0][weight]': '50',
          'options[1][text]': 'Size',
          'options[1][weight]': '50',
          'options[2][text]': 'Your phone number',
          'options[2][weight]': '-100',
          'options[2][feedback]': 'Never in a title.',
        },
      ],
      [
        'short',
        {
          name: 'currency-code',
          text: 'Which currency code do you quote to Germany in?',
          'options[0][text]': 'EUR',
          'options[1][text]': 'euro*',
          'options[1][weight]': '50',
          generalFeedback: 'Quote in the buyer’s currency.',
        },
      ],
      [
        'numeric',
        {
          text: 'A title may have at most how many characters?',
          'numeric[0][value]': '128',
          'numeric[0][tolerance]': '0',
          'numeric[1][min]': '100',
          'numeric[1][max]': '127',
          'numeric[1][weight]': '50',
        },
      ],
      [
        'matching',
        {
          text: 'Match the term to its meaning.',
          'pairs[0][left]': 'MOQ',
          'pairs[0][right]': 'Minimum order quantity',
          'pairs[1][left]': 'FOB',
          'pairs[1][right]': 'Free on board',
          'pairs[2][left]': '',
          'pairs[2][right]': 'Free of charge',
        },
      ],
      [
        'missingword',
        {
          text: 'Quote in the buyer’s',
          textAfter: 'to avoid surprises.',
          'options[0][text]': 'currency',
          'options[1][text]': 'colour',
          correct: '0',
        },
      ],
      [
        'truefalse',
        { text: 'Keyword stuffing helps ranking.', answer: 'false', falseFeedback: 'Right: it hurts.' },
      ],
      ['essay', { text: 'Write a title for your best-selling product.', format: 'markdown' }],
    ];
    for (const [type, fields] of questions) {
      const response = await addQuestion(trainer, id, check, type, fields);
      expect({
        type,
        status: response.status,
        problems: /id="question-problems"[\s\S]*?<\/ul>/.exec(response.text)?.[0],
      }).toEqual({ type, status: 303, problems: undefined });
    }
    const final = await addQuiz(trainer, id, 'Final assessment', 'final');
    const finalPage = `/author/courses/${id}/quizzes/${final}`;
    const finalForm = await trainer.get(finalPage);
    expect(
      (
        await postMultipart(trainer, finalPage, `${finalPage}/gift`, {
          action: 'import',
          mode: 'add',
          revision: revisionFrom(finalForm.text),
          gift: FINAL_GIFT,
        })
      ).status,
    ).toBe(303);
    // A cover picture, from the settings page.
    const settingsPage = `/author/courses/${id}/settings`;
    const coverPhoto = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#2a6f4e' } }).jpeg().toBuffer();
    const coverSaved = await postMultipart(trainer, settingsPage, `/author/courses/${id}/cover`, { action: 'upload' }, { field: 'cover', name: 'cover.jpg', data: coverPhoto, type: 'image/jpeg' });
    expect(coverSaved.status).toBe(303);
    expect((await publish(trainer, id)).status).toBe(303);

    const built = await liveCourse(t.app.get(DataSource), SLUG);
    expect(built.cover).toMatch(/^[0-9a-f]{32}-640x360\.webp$/);
    expect(built.modules.map((m: { slug: string }) => m.slug)).toEqual([titles, photos, keywords]);
    expect(built.quizzes.map((q: { questions: unknown[] }) => q.questions.length)).toEqual([7, 3]);

    // The ZIP download is the same folder.
    const zip = await trainer
      .get(`/author/courses/${id}/export.zip`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(zip.status).toBe(200);
    expect(zip.headers['content-type']).toBe('application/zip');
    expect((zip.body as Buffer).subarray(0, 2).toString()).toBe('PK');
    expect((zip.body as Buffer).includes(Buffer.from(`${SLUG}/quizzes/final.gift`))).toBe(true);

    // Export, what `npm run content:export -- <slug> --out <root>` does.
    const written = await t.app.get(CourseExportService).writeFolder(SLUG, { root });
    const folder = written?.folder as string;
    expect(folder).toBe(join(root, 'courses', SLUG));
    expect(existsSync(join(folder, '01-titles-what-buyers-type.md'))).toBe(true);
    expect(existsSync(join(folder, `images/${imageUrl.split('/').pop()}`))).toBe(true);
    expect(readFileSync(join(folder, 'course.yaml'), 'utf8')).toContain(`cover: images/${built.cover}`);
    expect(existsSync(join(folder, `images/${built.cover}`))).toBe(true);
    expect(loadCourseFolder(root, folder).ok).toBe(true);
    await t.close();

    // A fresh site with an empty database imports the folder at start-up.
    t = await startTestApp({ CONTENT_DIR: root });
    const db = t.app.get(DataSource);
    expect(await liveCourse(db, SLUG)).toEqual(built);
    const image = await new Browser(t.server).get(imageUrl).expect(200);
    expect(image.headers['content-type']).toBe('image/webp');
    // The catalog card shows the imported cover, sized and loaded lazily.
    const catalog = await new Browser(t.server).get('/courses').expect(200);
    expect(catalog.text).toContain(`<img class="cover" src="/files/lessons/${built.cover}" width="640" height="360" alt="" loading="lazy">`);
    await new Browser(t.server).get(`/files/lessons/${built.cover}`).expect(200).expect('Content-Type', 'image/webp');

    // A learner completes the first lesson; then the folder changes and is imported again.
    const learner = await signUp(t, 'imran@sports.pk');
    await learner.submit(`/courses/${SLUG}`, `/courses/${SLUG}/enrol`, {});
    await learner.submit(
      `/courses/${SLUG}/modules/${titles}`,
      `/courses/${SLUG}/modules/${titles}/complete`,
      {},
    );
    const progress = async () =>
      Number((await db.query('SELECT progress_percent AS p FROM enrollments'))[0].p);
    expect(await progress()).toBe(25); // titles of (titles, keywords, the check, the final)
    const [{ id: titlesId }] = await db.query('SELECT id FROM course_modules WHERE slug = ?', [titles]);

    const lessonFile = join(folder, '01-titles-what-buyers-type.md');
    writeFileSync(lessonFile, readFileSync(lessonFile, 'utf8').replace('The formula', 'The title formula'));
    unlinkSync(join(folder, '02-photos-optional-extra.md'));
    writeFileSync(
      join(folder, '04-compliance.md'),
      '---\ntitle: Compliance words\nminutes: 5\n---\n\nNever claim certifications you do not hold.\n',
    );
    const report = await t.app.get(ContentService).importAll(root);
    expect(report.imported).toEqual([SLUG]);
    await progressRefreshed(t, await courseIdOf(t, SLUG));

    expect(await progress()).toBe(20); // one more required lesson; the optional one gone changes nothing
    const [{ id: titlesAfter }] = await db.query('SELECT id FROM course_modules WHERE slug = ?', [titles]);
    expect(titlesAfter).toBe(titlesId);
    expect((await learner.get(`/courses/${SLUG}/modules/${titles}`)).text).toContain('The title formula');
    const [{ count }] = await db.query(
      "SELECT COUNT(*) AS count FROM audit_log WHERE action = 'content_imported'",
    );
    expect(Number(count)).toBe(2);
  });
});
