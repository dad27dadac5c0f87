import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { DataSource } from 'typeorm';
import { ContentService } from '../src/content/content.service';
import { Browser, startTestApp, TestApp } from './support/test-app';

/** A content/ folder with the shipped course and two broken ones. */
function contentWithProblems(): string {
  const root = mkdtempSync(join(tmpdir(), 'exportready-content-'));
  cpSync(join(__dirname, '..', 'content', 'courses', 'alibaba-first-30-days'), join(root, 'courses', 'alibaba-first-30-days'), { recursive: true });

  const badYaml = join(root, 'courses', 'broken-yaml');
  mkdirSync(badYaml, { recursive: true });
  writeFileSync(join(badYaml, 'course.yaml'), 'title: Broken\nsummary: A course\nlanguage: en\nlevel: expert\nhours: 2\noutcomes:\n  - one\n');
  writeFileSync(join(badYaml, '01-first.md'), '---\ntitle: First\nminutes: 5\n---\n\nText.\n');

  const badLesson = join(root, 'courses', 'broken-lesson');
  mkdirSync(badLesson, { recursive: true });
  writeFileSync(join(badLesson, 'course.yaml'), 'title: Lesson problems\nsummary: A course\nlanguage: en\nlevel: beginner\nhours: 1\noutcomes:\n  - one\n');
  writeFileSync(join(badLesson, '01-good.md'), '---\ntitle: Good\nminutes: 5\n---\n\nFine.\n');
  writeFileSync(join(badLesson, '02-bad.md'), '---\ntitle: Bad\nminutes: [unclosed\n---\n\nText.\n');

  // A lesson saved as Latin-1 (Windows Notepad's "ANSI"): é is the single byte 0xE9.
  const latin1 = join(root, 'courses', 'broken-encoding');
  mkdirSync(latin1, { recursive: true });
  writeFileSync(join(latin1, 'course.yaml'), 'title: Encoding\nsummary: A course\nlanguage: en\nlevel: beginner\nhours: 1\noutcomes:\n  - one\n');
  writeFileSync(join(latin1, '01-good.md'), '---\ntitle: Good\nminutes: 5\n---\n\nFine.\n');
  writeFileSync(join(latin1, '02-latin1.md'), Buffer.from('---\ntitle: Prices\nminutes: 5\n---\n\nThe caf\xe9 quotes in \xa3.\n', 'latin1'));
  return root;
}

describe('content/ import', () => {
  let t: TestApp;
  let contentDir: string;

  beforeAll(async () => {
    contentDir = contentWithProblems();
    t = await startTestApp({ CONTENT_DIR: contentDir });
  });

  afterAll(async () => {
    await t?.close();
    rmSync(contentDir, { recursive: true, force: true });
  });

  it('reports every problem with its file and line and imports none of a broken course', async () => {
    const report = await t.app.get(ContentService).importAll();
    const problems = Object.fromEntries(report.failed.map((f) => [f.slug, f.problems]));
    expect(problems['broken-yaml']).toEqual([
      { file: 'courses/broken-yaml/course.yaml', line: 4, message: 'level must be one of beginner, intermediate, advanced' },
    ]);
    expect(problems['broken-lesson']).toHaveLength(1);
    expect(problems['broken-lesson'][0]).toMatchObject({ file: 'courses/broken-lesson/02-bad.md', line: 4 });
    expect(problems['broken-encoding']).toEqual([
      { file: 'courses/broken-encoding/02-latin1.md', line: 6, message: expect.stringMatching(/^not UTF-8/) },
    ]);
    const slugs = (await t.app.get(DataSource).query('SELECT slug FROM courses ORDER BY slug')).map((r: { slug: string }) => r.slug);
    expect(slugs).toEqual(['alibaba-first-30-days']);
  });

  it('content:check prints the problems, the Latin-1 lesson among them, and nothing else', () => {
    const cli = spawnSync(process.execPath, ['-r', './test/support/swc-register.js', 'src/cli.ts', 'content:check'], {
      cwd: join(__dirname, '..'),
      env: { ...process.env, CONTENT_DIR: contentDir },
      encoding: 'utf8',
    });
    expect(cli.status).toBe(1);
    expect(cli.stdout).toContain('FAILED broken-encoding\n  courses/broken-encoding/02-latin1.md:6: not UTF-8');
    expect(cli.stdout).toContain('1 of 4 courses valid');
    // Nothing but the report: no database or queue chatter from modules a check does not need.
    const lines = cli.stdout.trimEnd().split('\n');
    expect(lines.filter((line) => !/^(ok {5}|FAILED | {2}courses\/|\d+ of \d+ courses valid$|total: )/.test(line))).toEqual([]);
    expect(cli.stderr).toBe('');
  });

  it('keeps serving the valid course after start-up met the broken ones', async () => {
    const catalog = await new Browser(t.server).get('/courses').expect(200);
    expect(catalog.text).toContain('/courses/alibaba-first-30-days"');
    expect(catalog.text).not.toContain('broken-');
  });

  it('changes nothing when the same folder is imported again', async () => {
    const db = t.app.get(DataSource);
    const before = await db.query('SELECT m.id, m.slug, m.title, m.body_html, c.updated_at FROM course_modules m JOIN courses c ON c.id = m.course_id ORDER BY m.id');
    const report = await t.app.get(ContentService).importAll();
    expect(report.imported).toEqual([]);
    expect(report.unchanged).toEqual(['alibaba-first-30-days']);
    const after = await db.query('SELECT m.id, m.slug, m.title, m.body_html, c.updated_at FROM course_modules m JOIN courses c ON c.id = m.course_id ORDER BY m.id');
    expect(after).toEqual(before);
  });

  it('updates a changed lesson in place and keeps the module identity', async () => {
    const db = t.app.get(DataSource);
    const [before] = await db.query("SELECT id FROM course_modules WHERE slug = 'b2b-marketplaces'");
    const file = join(contentDir, 'courses', 'alibaba-first-30-days', '01-b2b-marketplaces.md');
    const { readFileSync } = await import('node:fs');
    writeFileSync(file, readFileSync(file, 'utf8') + '\n\nOne more sentence about buyers.\n');
    const report = await t.app.get(ContentService).importAll();
    expect(report.imported).toEqual(['alibaba-first-30-days']);
    const [after] = await db.query("SELECT id, body_markdown FROM course_modules WHERE slug = 'b2b-marketplaces'");
    expect(after.id).toBe(before.id);
    expect(after.body_markdown).toContain('One more sentence about buyers.');
  });
});

describe('content/ import of a course whose pictures are files in images/', () => {
  let t: TestApp;
  let root: string;
  let folder: string;
  const picture = (width: number, height: number, colour: string) =>
    sharp({ create: { width, height, channels: 3, background: colour } }).jpeg({ quality: 80 }).toBuffer();

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'exportready-content-'));
    folder = join(root, 'courses', 'packing-basics');
    mkdirSync(join(folder, 'images'), { recursive: true });
    writeFileSync(
      join(folder, 'course.yaml'),
      'title: Packing basics\nsummary: Cartons and labels for a first sea shipment.\nlanguage: en\nlevel: beginner\nhours: 1\noutcomes:\n  - Pack towels for sea freight\ncover: images/cover.jpg\n',
    );
    writeFileSync(join(folder, '01-cartons.md'), '---\ntitle: Cartons\nminutes: 5\n---\n\nUse five-ply cartons.\n\n![A five-ply carton](images/carton.jpg)\n');
    writeFileSync(join(folder, 'images', 'carton.jpg'), await picture(800, 600, '#b08040'));
    writeFileSync(join(folder, 'images', 'cover.jpg'), await picture(1280, 720, '#205070'));
    t = await startTestApp({ CONTENT_DIR: root });
  });

  afterAll(async () => {
    await t?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('stores them under their content names and shows them sized, on the lesson and the catalog card', async () => {
    const learner = new Browser(t.server);
    await learner.register('Noor Fatima', 'noor@towels.example.pk');
    await learner.submit('/courses/packing-basics', '/courses/packing-basics/enrol', {});
    const lesson = await learner.get('/courses/packing-basics/modules/cartons').expect(200);
    const src = /<img src="(\/files\/lessons\/[0-9a-f]{32}-800x600\.jpg)" alt="A five-ply carton" width="800" height="600" loading="lazy" \/>/.exec(lesson.text)?.[1];
    expect(src).toBeDefined();
    const served = await new Browser(t.server).get(src as string).expect(200).expect('Content-Type', 'image/jpeg');
    expect(Buffer.compare(served.body as Buffer, readFileSync(join(folder, 'images', 'carton.jpg')))).toBe(0);

    const catalog = await new Browser(t.server).get('/courses').expect(200);
    expect(catalog.text).toMatch(/<img class="cover" src="\/files\/lessons\/[0-9a-f]{32}-1280x720\.jpg" width="1280" height="720" alt="" loading="lazy">/);

    // A new picture under the same file name is a changed course: the lesson points at the new one.
    writeFileSync(join(folder, 'images', 'carton.jpg'), await picture(640, 480, '#308030'));
    await t.app.get(ContentService).importAll();
    const changed = await learner.get('/courses/packing-basics/modules/cartons').expect(200);
    expect(changed.text).toMatch(/src="\/files\/lessons\/[0-9a-f]{32}-640x480\.jpg"/);
    expect(changed.text).not.toContain(src as string);
  });
});
