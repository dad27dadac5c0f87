import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imageHash } from '../common/image-info';
import { QuizzesService } from '../quizzes/quizzes.service';
import { courseFolderFiles, ExportableCourse, writeCourseFolder } from './content-exporter';
import { loadCourseFolder } from './content-loader';

const quizzes = new QuizzesService(undefined as never, undefined as never, { create: () => undefined } as never);

const course: ExportableCourse = {
  definition: {
    slug: 'rice-exports',
    title: 'Basmati: "premium" rice, priced right',
    summary: 'Grades, moisture: and #hashtags in a summary.',
    language: 'ur',
    level: 'advanced',
    estimatedMinutes: 100,
    outcomes: ['- a leading dash', 'Quote: CIF Jebel Ali'],
    coverImage: null,
    modules: [
      {
        slug: 'grades',
        title: 'Grades --- and more',
        minutes: 12,
        required: true,
        bodyMarkdown: '---\n\nA rule first.\n\n## Grades',
      },
      { slug: 'extra', title: 'اضافی', minutes: 3, required: false, bodyMarkdown: 'اختیاری سبق' },
    ],
  },
  quizzes: [
    {
      slug: 'check',
      title: 'Check',
      module: 'grades',
      final: false,
      required: true,
      passMark: 55,
      attempts: 2,
      timeLimitMinutes: 5,
      draw: 1,
      shuffleQuestions: false,
      shuffleOptions: false,
      grading: 'latest',
      review: 'score',
      questions: [
        {
          type: 'truefalse',
          name: 'moisture',
          format: 'moodle',
          text: 'Moisture above 14% is fine: {no}.',
          answer: false,
        },
      ],
    },
    {
      slug: 'final',
      title: 'Final',
      module: null,
      final: true,
      required: true,
      passMark: 70,
      attempts: 0,
      timeLimitMinutes: 0,
      draw: 0,
      shuffleQuestions: true,
      shuffleOptions: true,
      grading: 'highest',
      review: 'full',
      questions: [{ type: 'essay', name: 'plan', format: 'markdown', text: 'Your **plan**' }],
    },
  ],
};

describe(writeCourseFolder.name, () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'exporter-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('writes a folder the loader reads back as the same course', () => {
    const folder = writeCourseFolder(root, course);
    const loaded = loadCourseFolder(root, folder, (source) => quizzes.checkGiftSource(source));
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    expect(loaded.course.definition).toEqual(course.definition);
    expect(
      loaded.course.quizzes.map(({ file: _f, source, ...settings }) => ({
        ...settings,
        questions: quizzes.parseQuestions(source).map((q) => {
          const { line: _l, ...rest } = q as typeof q & { line?: number };
          return rest;
        }),
      })),
    ).toEqual(course.quizzes);
  });

  it('removes the files of lessons and quizzes the course no longer has, and leaves other files alone', () => {
    const folder = writeCourseFolder(root, course);
    writeFileSync(join(folder, 'NOTES.txt'), 'keep me');
    writeCourseFolder(root, {
      ...course,
      definition: { ...course.definition, modules: [course.definition.modules[1]] },
      quizzes: [course.quizzes[1]],
    });
    expect(readdirSync(folder).sort()).toEqual(['01-extra.md', 'NOTES.txt', 'course.yaml', 'quizzes']);
    expect(readdirSync(join(folder, 'quizzes'))).toEqual(['final.gift']);
  });

  it('numbers lessons with three digits when there are more than 99', () => {
    const many = Array.from({ length: 100 }, (_, i) => ({
      slug: `l-${i}`,
      title: `L${i}`,
      minutes: 1,
      required: true,
      bodyMarkdown: 'x',
    }));
    const names = courseFolderFiles({
      ...course,
      definition: { ...course.definition, modules: many },
      quizzes: [],
    }).map((f) => f.path);
    expect(names[1]).toBe('001-l-0.md');
    expect(names[100]).toBe('100-l-99.md');
  });

  describe('cover', () => {
    // A real 2 × 1 PNG, named as the site names stored images.
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAADklEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==',
      'base64',
    );
    const name = `${imageHash(png)}-2x1.png`;
    const withCover = { ...course, definition: { ...course.definition, coverImage: name } };
    const load = (folder: string) => loadCourseFolder(root, folder, (source) => quizzes.checkGiftSource(source));

    it('round-trips as `cover: images/<name>` next to the picture', () => {
      const folder = writeCourseFolder(root, withCover, [{ path: `images/${name}`, data: png }]);
      expect(readFileSync(join(folder, 'course.yaml'), 'utf8')).toContain(`cover: images/${name}\n`);
      const loaded = load(folder);
      if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
      expect(loaded.course.definition.coverImage).toBe(name);
    });

    it('names the line of a cover that is missing, misnamed or not what its name says', () => {
      const problemsOf = (folder: string) => {
        const loaded = load(folder);
        return loaded.ok ? [] : loaded.problems.map((p) => `${p.file}:${p.line} ${p.message}`);
      };
      const folder = writeCourseFolder(root, withCover);
      const coverLine = readFileSync(join(folder, 'course.yaml'), 'utf8').split('\n').findIndex((l) => l.startsWith('cover:')) + 1;
      expect(problemsOf(folder)).toEqual([`courses/rice-exports/course.yaml:${coverLine} the file images/${name} does not exist in courses/rice-exports`]);

      writeCourseFolder(root, withCover, [{ path: `images/${name}`, data: Buffer.concat([png, Buffer.from('x')]) }]);
      expect(problemsOf(folder)).toEqual([
        `courses/rice-exports/course.yaml:${coverLine} images/${name} is not the image its name describes (changed after export?)`,
      ]);

      writeFileSync(join(folder, 'course.yaml'), readFileSync(join(folder, 'course.yaml'), 'utf8').replace(`images/${name}`, 'photos/cover.jpg'));
      expect(problemsOf(folder)[0]).toMatch(/^courses\/rice-exports\/course\.yaml:\d+ cover must be the path of a picture in the folder/);
    });
  });
  describe('pictures added as files', () => {
    // A real 2 × 1 PNG.
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAADklEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==',
      'base64',
    );
    const stored = `${imageHash(png)}-2x1.png`;
    const withPictures = (lesson: string) => ({
      ...course,
      definition: {
        ...course.definition,
        modules: [{ ...course.definition.modules[0], bodyMarkdown: lesson }, course.definition.modules[1]],
      },
    });
    const load = (folder: string) => loadCourseFolder(root, folder, (source) => quizzes.checkGiftSource(source));

    it('points relative picture paths at the stored picture, for lessons and the cover, and lists the files to store', () => {
      const folder = writeCourseFolder(root, withPictures('## Cartons\n\n![A five-ply carton](images/carton.png "Carton")\n\nSee [the label](./images/carton.png).'), [
        { path: 'images/carton.png', data: png },
      ]);
      writeFileSync(join(folder, 'course.yaml'), `${readFileSync(join(folder, 'course.yaml'), 'utf8')}cover: images/carton.png\n`);
      const loaded = load(folder);
      if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
      expect(loaded.course.definition.modules[0].bodyMarkdown).toBe(
        `## Cartons\n\n![A five-ply carton](/files/lessons/${stored} "Carton")\n\nSee [the label](/files/lessons/${stored}).`,
      );
      expect(loaded.course.definition.coverImage).toBe(stored);
      expect(loaded.course.images).toEqual([{ file: 'images/carton.png', storedName: stored }]);

      // Exported again, the folder holds the stored names and loads as the same course.
      const again = writeCourseFolder(join(root, 'again'), { ...course, definition: loaded.course.definition }, [{ path: `images/${stored}`, data: png }]);
      const reloaded = loadCourseFolder(join(root, 'again'), again, (source) => quizzes.checkGiftSource(source));
      if (!reloaded.ok) throw new Error(JSON.stringify(reloaded.problems));
      expect(reloaded.course.definition).toEqual(loaded.course.definition);
      expect(reloaded.course.hash).toBe(loaded.course.hash);
    });

    it('names the file and line of a missing picture, or a file that is not one', () => {
      const folder = writeCourseFolder(root, withPictures('First line.\n\n![Gone](images/gone.jpg)\n\n![Text](images/notes.png)'), [
        { path: 'images/notes.png', data: Buffer.from('just some notes') },
      ]);
      const loaded = load(folder);
      const problems = loaded.ok ? [] : loaded.problems.filter((p) => p.file.endsWith('.md'));
      expect(problems.map((p) => `${p.file}:${p.line} ${p.message}`)).toEqual([
        'courses/rice-exports/01-grades.md:9 the file images/gone.jpg does not exist in courses/rice-exports',
        'courses/rice-exports/01-grades.md:11 images/notes.png is not a PNG, JPEG or WebP picture',
      ]);
    });
  });
});
