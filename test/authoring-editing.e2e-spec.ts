import sharp from 'sharp';
import { DataSource } from 'typeorm';
import { AUTHORING_UPLOAD_MAX_BYTES } from '../src/authoring/authoring-upload.middleware';
import {
  addLesson,
  addQuiz,
  createCourse,
  emptyContentDir,
  postMultipart,
  publish,
  revisionFrom,
  saveLesson,
  signUp,
} from './support/authoring';
import { pngOf } from './support/images';
import { Browser, csrfFrom, startTestApp, TestApp } from './support/test-app';
import { IMAGE_MAX_BYTES } from '../src/common/image-info';

// These suites boot the app several times and publish whole courses: longer than the project's 60 s on a busy MariaDB.
jest.setTimeout(120_000);

const HOSTILE_MARKDOWN = [
  '## Payment terms',
  'Ask for 30% in advance <script>alert("stolen")</script> and the rest against documents.',
  '[Open the guide](javascript:alert(document.cookie))',
  '<img src="/x.png" onerror="alert(2)">',
  '<div style="position:fixed" onclick="steal()">Raw HTML box</div>',
  '<iframe src="https://evil.example/"></iframe>',
  '<a href="JaVaScRiPt:alert(3)" onmouseover="alert(4)">HTML link</a>',
  '<svg onload="alert(5)"><circle r="5"/></svg>',
].join('\n\n');

/** The lesson's rendered body: the preview block in the editor, or the prose block of the learner page. */
function renderedBody(html: string, marker: RegExp): string {
  const match = marker.exec(html);
  if (!match) throw new Error(`no rendered lesson body in the page (${marker})`);
  return match[1];
}

function expectHarmless(html: string) {
  expect(html).toContain('Ask for 30% in advance');
  expect(html).toContain('Raw HTML box');
  expect(html).not.toMatch(
    /<script|<iframe|<svg|<div|<style|javascript:|onerror|onclick|onload|onmouseover|style=/i,
  );
}

describe('the lesson editor and publishing, with hostile and broken input', () => {
  let t: TestApp;
  let db: DataSource;
  let trainer: Browser;

  beforeAll(async () => {
    t = await startTestApp({ CONTENT_DIR: emptyContentDir() });
    db = t.app.get(DataSource);
    trainer = await signUp(t, 'farah@trainers.pk', 'trainer');
  });

  afterAll(async () => {
    await t?.close();
  });

  it('renders scripts, javascript: links, event handlers and raw HTML harmless, in the preview and on the learner page alike', async () => {
    const id = await createCourse(trainer, { title: 'Getting paid safely', slug: 'paid-safely' });
    const lesson = await addLesson(trainer, id, 'Payment terms');
    const editor = `/author/courses/${id}/lessons/${lesson}`;
    const page = await trainer.get(editor);
    const previewed = await trainer.agent
      .post(editor)
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        revision: revisionFrom(page.text),
        action: 'preview',
        title: 'Payment terms',
        minutes: '10',
        bodyMarkdown: HOSTILE_MARKDOWN,
      });
    expect(previewed.status).toBe(200);
    expectHarmless(
      renderedBody(previewed.text, /<div class="prose" id="preview"\s*>([\s\S]*?)<\/div>\s*<\/section>/),
    );
    // The text itself stays in the form, escaped, for the trainer to fix.
    expect(previewed.text).toContain('&lt;script&gt;alert(&quot;stolen&quot;)&lt;/script&gt;');

    // The live preview the editor's script asks for (x-csrf-token header, JSON back) is rendered alike.
    const live = await trainer.agent
      .post(`${editor}/preview`)
      .set('x-csrf-token', csrfFrom(page.text))
      .set('Accept', 'application/json')
      .type('form')
      .send({ bodyMarkdown: HOSTILE_MARKDOWN });
    expect(live.status).toBe(200);
    expectHarmless(live.body.html);
    expect(live.body.stats).toMatch(/^\d+ words, about \d+ min to read\.$/);
    // Without the token it is refused like any other state-changing request.
    await trainer.agent.post(`${editor}/preview`).type('form').send({ bodyMarkdown: 'x' }).expect(403);
    const tooLong = await trainer.agent
      .post(`${editor}/preview`)
      .set('x-csrf-token', csrfFrom(page.text))
      .set('Accept', 'application/json')
      .type('form')
      .send({ bodyMarkdown: 'a'.repeat(60_001) });
    expect(tooLong.status).toBe(400);

    expect(
      (await saveLesson(trainer, id, lesson, { minutes: '10', bodyMarkdown: HOSTILE_MARKDOWN })).status,
    ).toBe(303);
    const asLearnerPreview = await trainer.get(`/author/courses/${id}/preview/lessons/${lesson}`).expect(200);
    expectHarmless(renderedBody(asLearnerPreview.text, /<div class="prose">([\s\S]*?)<\/div>\s*<\/article>/));
    expect((await publish(trainer, id)).status).toBe(303);

    const learner = await signUp(t, 'kamran@leather.pk');
    await learner.submit('/courses/paid-safely', '/courses/paid-safely/enrol', {});
    const learnerPage = await learner.get(`/courses/paid-safely/modules/${lesson}`).expect(200);
    expectHarmless(renderedBody(learnerPage.text, /<div class="prose">([\s\S]*?)<\/div>\s*<\/article>/));
  });

  it('refuses an upload that is not an image, or too large, with a message, and keeps what the trainer typed', async () => {
    const id = await createCourse(trainer, { title: 'Product photos', slug: 'product-photos' });
    const lesson = await addLesson(trainer, id, 'Main image');
    const editor = `/author/courses/${id}/lessons/${lesson}`;
    const typed = 'A white background sells better on Alibaba.';
    const upload = async (file?: { name: string; data: Buffer; type: string }) => {
      const page = await trainer.get(editor);
      return postMultipart(
        trainer,
        editor,
        editor,
        {
          action: 'upload',
          revision: revisionFrom(page.text),
          title: 'Main image',
          minutes: '5',
          bodyMarkdown: typed,
          imageAlt: 'x',
        },
        file && { field: 'image', ...file },
      );
    };

    const text = await upload({
      name: 'photo.png',
      data: Buffer.from('this is not a picture at all'),
      type: 'image/png',
    });
    expect(text.status).toBe(400);
    expect(text.text).toContain('This file is not a PNG, JPEG or WebP image.');
    expect(text.text).toContain(typed);

    const svg = await upload({
      name: 'logo.svg',
      data: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'),
      type: 'image/svg+xml',
    });
    expect(svg.status).toBe(400);
    expect(svg.text).toContain('This file is not a PNG, JPEG or WebP image.');

    const oversized = Buffer.concat([pngOf(100, 100), Buffer.alloc(IMAGE_MAX_BYTES)]);
    const large = await upload({ name: 'huge.png', data: oversized, type: 'image/png' });
    expect(large.status).toBe(400);
    expect(large.text).toContain(`The image is larger than ${IMAGE_MAX_BYTES / 1024 / 1024} MB.`);
    expect(large.text).toContain(typed);

    // Far beyond the limit: refused before it is read at all.
    const enormous = await upload({
      name: 'enormous.png',
      data: Buffer.concat([pngOf(10, 10), Buffer.alloc(AUTHORING_UPLOAD_MAX_BYTES)]),
      type: 'image/png',
    });
    expect(enormous.status).toBe(413);
    expect(enormous.text).toContain('The upload is larger than allowed.');

    const none = await upload();
    expect(none.status).toBe(400);
    expect(none.text).toContain('Choose an image file first.');

    const [{ count }] = await db.query(
      "SELECT COUNT(*) AS count FROM audit_log WHERE action = 'image_uploaded'",
    );
    expect(Number(count)).toBe(0);
    // Nothing of it was saved into the lesson either.
    expect((await trainer.get(editor)).text).not.toContain(typed);
  });

  it('makes a phone photo fit for a slow connection: upright, at most 960 px wide, WebP, without its EXIF data', async () => {
    const id = await createCourse(trainer, { title: 'Shop photos', slug: 'shop-photos' });
    const lesson = await addLesson(trainer, id, 'Your stall');
    const editor = `/author/courses/${id}/lessons/${lesson}`;
    // As a phone saves a portrait shot: landscape pixels, "rotate 90°" in EXIF, and where it was taken.
    const photo = await sharp({
      create: { width: 1600, height: 1200, channels: 3, background: '#b05a2a', noise: { type: 'gaussian', mean: 120, sigma: 12 } },
    })
      .jpeg({ quality: 90 })
      .withMetadata({ orientation: 6 })
      .withExifMerge({ IFD0: { Make: 'PhoneMaker', Copyright: 'Faisalabad stall 31.4504N 73.1350E' } })
      .toBuffer();
    expect((await sharp(photo).metadata()).orientation).toBe(6);
    expect(photo.includes(Buffer.from('Faisalabad'))).toBe(true);

    const page = await trainer.get(editor);
    const uploaded = await postMultipart(
      trainer,
      editor,
      editor,
      { action: 'upload', revision: revisionFrom(page.text), title: 'Your stall', minutes: '5', bodyMarkdown: '', imageAlt: 'Towels on a stall' },
      { field: 'image', name: 'IMG_2031.jpg', data: photo, type: 'image/jpeg' },
    );
    expect(uploaded.status).toBe(200);
    // Turned upright (1200 × 1600), then scaled to 960 wide.
    const url = /\/files\/lessons\/[0-9a-f]{32}-960x1280\.webp/.exec(uploaded.text)?.[0] as string;
    expect(url).toBeDefined();
    const served = await trainer.get(url).expect(200).expect('Content-Type', 'image/webp');
    const body = served.body as Buffer;
    expect(body.length).toBeLessThan(photo.length / 2);
    const meta = await sharp(body).metadata();
    expect([meta.format, meta.width, meta.height, meta.orientation, meta.exif]).toEqual(['webp', 960, 1280, undefined, undefined]);
    expect(body.includes(Buffer.from('Faisalabad'))).toBe(false);

    // The lesson gives the picture its size (no jump while it loads) and loads it lazily.
    expect((await saveLesson(trainer, id, lesson, { minutes: '5', bodyMarkdown: `![Towels on a stall](${url})` })).status).toBe(303);
    const preview = await trainer.get(`/author/courses/${id}/preview/lessons/${lesson}`).expect(200);
    expect(preview.text).toMatch(new RegExp(`<img[^>]*src="${url}"[^>]*width="960"[^>]*height="1280"[^>]*loading="lazy"`));
  });

  it('refuses an image whose header is right but whose data is cut short, keeping what was typed', async () => {
    const id = await createCourse(trainer, { title: 'Broken photos', slug: 'broken-photos' });
    const lesson = await addLesson(trainer, id, 'Half a photo');
    const editor = `/author/courses/${id}/lessons/${lesson}`;
    const whole = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#336699', noise: { type: 'gaussian', mean: 100, sigma: 20 } } })
      .jpeg()
      .toBuffer();
    const page = await trainer.get(editor);
    const typed = 'Check the light before you shoot.';
    const refused = await postMultipart(
      trainer,
      editor,
      editor,
      { action: 'upload', revision: revisionFrom(page.text), title: 'Half a photo', minutes: '5', bodyMarkdown: typed, imageAlt: '' },
      { field: 'image', name: 'half.jpg', data: whole.subarray(0, Math.floor(whole.length / 3)), type: 'image/jpeg' },
    );
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('This image could not be read');
    expect(refused.text).toContain(typed);
  });

  it('sets, shows and removes a course cover; a picture too small or not a picture is refused with a message', async () => {
    const id = await createCourse(trainer, { title: 'Packing for sea freight', slug: 'packing-sea-freight' });
    const cartons = await addLesson(trainer, id, 'Cartons');
    await saveLesson(trainer, id, cartons, { minutes: '5', bodyMarkdown: 'Five-ply cartons for towels.' });
    const settings = `/author/courses/${id}/settings`;
    const sendCover = (data: Buffer, name = 'cover.jpg') =>
      postMultipart(trainer, settings, `/author/courses/${id}/cover`, { action: 'upload' }, { field: 'cover', name, data, type: 'image/jpeg' });

    const tiny = await sendCover(await sharp({ create: { width: 300, height: 200, channels: 3, background: '#123456' } }).jpeg().toBuffer());
    expect(tiny.status).toBe(400);
    expect(tiny.text).toContain('The cover must be at least 320 × 180 pixels');
    // The settings form under it still shows the saved settings.
    expect(tiny.text).toContain('value="Packing for sea freight"');
    const text = await sendCover(Buffer.from('not a picture'), 'cover.txt');
    expect(text.status).toBe(400);
    expect(text.text).toContain('This file is not a PNG, JPEG or WebP image.');

    const wide = await sharp({ create: { width: 1600, height: 400, channels: 3, background: '#aa5500' } }).png().toBuffer();
    const saved = await sendCover(wide, 'banner.png');
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe(`${settings}?done=cover_set`);
    const page = await trainer.get(saved.headers.location).expect(200);
    expect(page.text).toContain('The cover picture is saved in the draft.');
    const cover = /\/files\/lessons\/[0-9a-f]{32}-640x360\.webp/.exec(page.text)?.[0] as string;
    expect(cover).toBeDefined();

    // Drafts are private: the catalog shows the cover only once the course is published.
    expect((await publish(trainer, id)).status).toBe(303);
    const coursePage = await new Browser(t.server).get('/courses/packing-sea-freight').expect(200);
    expect(coursePage.text).toContain(`<img class="cover" src="${cover}" width="640" height="360" alt="">`);

    const removed = await postMultipart(trainer, settings, `/author/courses/${id}/cover`, { action: 'remove' });
    expect(removed.headers.location).toBe(`${settings}?done=cover_removed`);
    expect((await trainer.get(settings)).text).toContain('This course has no cover picture yet.');
    expect((await publish(trainer, id)).status).toBe(303);
    expect((await new Browser(t.server).get('/courses/packing-sea-freight')).text).not.toContain('class="cover"');
    const [{ count }] = await db.query("SELECT COUNT(*) AS count FROM audit_log WHERE action IN ('cover_set', 'cover_removed')");
    expect(Number(count)).toBe(2);
  });

  it('lists every problem when publishing an invalid course, and publishes nothing', async () => {
    const empty = await createCourse(trainer, { title: 'Nothing yet', slug: 'nothing-yet' });
    const refusedEmpty = await publish(trainer, empty);
    expect(refusedEmpty.status).toBe(422);
    expect(refusedEmpty.text).toContain('The course was not published.');
    expect(refusedEmpty.text).toContain('The course has no lessons. Add at least one.');

    const id = await createCourse(trainer, { title: 'Half built', slug: 'half-built' });
    const first = await addLesson(trainer, id, 'Listing basics');
    const second = await addLesson(trainer, id, 'Keywords');
    await addQuiz(trainer, id, 'Final assessment', 'final');
    await addQuiz(trainer, id, 'Keyword check', second);
    await saveLesson(trainer, id, second, { minutes: '5', bodyMarkdown: 'Use the words buyers search for.' });
    // Deleting the lesson leaves its check quiz following nothing.
    const deleted = await trainer.submit(
      `/author/courses/${id}`,
      `/author/courses/${id}/lessons/${second}/delete`,
      {},
    );
    expect(deleted.status).toBe(303);
    expect(first).toBe('listing-basics');

    const refused = await publish(trainer, id);
    expect(refused.status).toBe(422);
    const problems = [...refused.text.matchAll(/<li>([^<]*)<\/li>/g)]
      .map((m) => m[1])
      .filter((text) => /Lesson|Quiz|quiz|course/.test(text));
    expect(problems).toEqual(
      expect.arrayContaining([
        'Lesson “Listing basics” has no text.',
        'Quiz “Final assessment” is required but has no questions, so nobody could complete the course.',
        'Quiz “Keyword check” must follow a lesson of the course (or be the final assessment).',
        'Quiz “Keyword check” has no questions.',
      ]),
    );
    expect(problems).toHaveLength(4);
    await trainer.get('/courses/half-built').expect(404);
    const [{ status }] = await db.query('SELECT status FROM courses WHERE slug = ?', ['half-built']);
    expect(status).toBe('draft');
  });

  it('shows GIFT problems with their line numbers before importing anything, and question form problems in words', async () => {
    const id = await createCourse(trainer, { title: 'Quiz workshop', slug: 'quiz-workshop' });
    await addLesson(trainer, id, 'Only lesson');
    const quiz = await addQuiz(trainer, id, 'Final', 'final');
    const quizPage = `/author/courses/${id}/quizzes/${quiz}`;
    const page = await trainer.get(quizPage);
    const gift =
      '::ok:: Incoterms are published by the ICC. {T}\n\n::broken:: Which rule makes the seller insure?\n{\n  =CIF\n  =CIP\n  ~FOB\n}\n';
    const file = {
      field: 'giftFile',
      name: 'quiz.gift',
      data: Buffer.from(gift),
      type: 'application/octet-stream',
    };
    const preview = await postMultipart(
      trainer,
      quizPage,
      `${quizPage}/gift`,
      { action: 'preview', mode: 'add', revision: revisionFrom(page.text), gift: '' },
      file,
    );
    expect(preview.status).toBe(200);
    expect(preview.text).toMatch(
      /<li>Line 6: a single-choice question needs exactly one right answer, found 2<\/li>/,
    );
    const refused = await postMultipart(
      trainer,
      quizPage,
      `${quizPage}/gift`,
      { action: 'import', mode: 'add', revision: revisionFrom(page.text), gift: '' },
      file,
    );
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Nothing can be imported until these problems are fixed:');
    expect((await trainer.get(quizPage)).text).toContain('No questions yet.');

    const form = await trainer.get(`${quizPage}/questions/new?type=multiple`);
    const invalid = await trainer.agent
      .post(`${quizPage}/questions`)
      .type('form')
      .send({
        _csrf: csrfFrom(form.text),
        revision: revisionFrom(form.text),
        type: 'multiple',
        action: 'save',
        text: 'Which documents does a bank check under an LC?',
        'options[0][text]': 'Bill of lading',
        'options[0][weight]': '50',
        'options[1][text]': 'Commercial invoice',
        'options[1][weight]': '30',
      });
    expect(invalid.status).toBe(400);
    expect(invalid.text).toContain('the positive weights add up to 80%, not 100%');
    // What was typed comes back in the form.
    expect(invalid.text).toContain('value="Commercial invoice"');
    expect(invalid.text).toContain('value="30"');
  });

  it('tells the second of two trainers saving the same lesson that it changed, and overwrites nothing', async () => {
    const id = await createCourse(trainer, { title: 'Shipping by sea', slug: 'shipping-by-sea' });
    const lesson = await addLesson(trainer, id, 'Containers');
    const coauthor = await signUp(t, 'usman@trainers.pk', 'trainer');
    await trainer.submit(`/author/courses/${id}`, `/author/courses/${id}/authors`, {
      email: 'usman@trainers.pk',
    });
    const editor = `/author/courses/${id}/lessons/${lesson}`;

    // Both open the lesson at the same revision.
    const farahPage = await trainer.get(editor);
    const usmanPage = await coauthor.get(editor);
    const form = (page: string, body: string) => ({
      _csrf: csrfFrom(page),
      revision: revisionFrom(page),
      action: 'save',
      title: 'Containers',
      minutes: '8',
      required: 'on',
      bodyMarkdown: body,
    });
    const farah = await trainer.agent
      .post(editor)
      .type('form')
      .send(form(farahPage.text, 'A 20-foot container holds about 10 pallets.'));
    expect(farah.status).toBe(303);
    const usman = await coauthor.agent
      .post(editor)
      .type('form')
      .send(form(usmanPage.text, 'A 40-foot container is cheaper per pallet.'));
    expect(usman.status).toBe(409);
    expect(usman.text).toContain('This lesson changed since you opened it.');
    // His text is kept in the form; hers is shown as what is saved now.
    expect(usman.text).toMatch(
      /<textarea id="f-body"[^>]*>A 40-foot container is cheaper per pallet.<\/textarea>/,
    );
    expect(usman.text).toContain(
      '<pre class="their-version" dir="auto">A 20-foot container holds about 10 pallets.</pre>',
    );
    const stored = async () => {
      const [{ content }] = await db.query('SELECT content FROM course_drafts WHERE course_id = ?', [id]);
      return (typeof content === 'string' ? JSON.parse(content) : content).modules[0].bodyMarkdown;
    };
    expect(await stored()).toBe('A 20-foot container holds about 10 pallets.');

    // Having seen her version, he saves again on purpose: now it goes through.
    const again = await coauthor.agent
      .post(editor)
      .type('form')
      .send(form(usman.text, 'A 40-foot container is cheaper per pallet; 20 feet suits heavy goods.'));
    expect(again.status).toBe(303);
    expect(await stored()).toBe('A 40-foot container is cheaper per pallet; 20 feet suits heavy goods.');
  });

  it('keeps both of two saves of different lessons made at the same moment', async () => {
    const id = await createCourse(trainer, { title: 'Trade fairs', slug: 'trade-fairs' });
    const slugs = [
      await addLesson(trainer, id, 'Before the fair'),
      await addLesson(trainer, id, 'At the stand'),
      await addLesson(trainer, id, 'After the fair'),
    ];
    const results = await Promise.all(
      slugs.map((slug, i) =>
        saveLesson(trainer, id, slug, { minutes: '5', bodyMarkdown: `Text of lesson ${i + 1}.` }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([303, 303, 303]);
    const [{ content }] = await db.query('SELECT content FROM course_drafts WHERE course_id = ?', [id]);
    const draft = typeof content === 'string' ? JSON.parse(content) : content;
    expect(draft.modules.map((m: { bodyMarkdown: string }) => m.bodyMarkdown)).toEqual([
      'Text of lesson 1.',
      'Text of lesson 2.',
      'Text of lesson 3.',
    ]);
  });
});
