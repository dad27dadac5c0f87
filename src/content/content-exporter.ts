import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import yaml from 'js-yaml';
import type { CourseDefinition } from '../courses/course-definition';
import { writeGift } from '../quizzes/gift/gift-writer';
import type { QuizDefinition } from '../quizzes/quizzes.service';

// The reverse of content-loader: a course as the content/ folder format (docs/CONTENT-FORMAT.md),
// written so that loading the folder back gives the same course.

export interface ExportableCourse {
  definition: CourseDefinition;
  quizzes: QuizDefinition[];
}

export interface ExportedFile {
  /** Relative to the course folder, `/`-separated. */
  path: string;
  data: Buffer;
}

const DUMP_OPTIONS: yaml.DumpOptions = { lineWidth: -1, noRefs: true, quotingType: '"' };
const LESSON_FILE = /^\d{2,3}-[a-z0-9-]+\.md$/;

function lessonFileName(index: number, count: number, slug: string): string {
  return `${String(index + 1).padStart(count > 99 ? 3 : 2, '0')}-${slug}.md`;
}

function courseYaml(course: ExportableCourse): string {
  const { definition } = course;
  const document: Record<string, unknown> = {
    title: definition.title,
    summary: definition.summary,
    language: definition.language,
    level: definition.level,
    hours: definition.estimatedMinutes / 60,
    outcomes: definition.outcomes,
  };
  if (definition.coverImage) document.cover = `images/${definition.coverImage}`;
  if (course.quizzes.length) {
    document.quizzes = course.quizzes.map((quiz) => ({
      slug: quiz.slug,
      title: quiz.title,
      ...(quiz.final ? { final: true } : { module: quiz.module }),
      pass_mark: quiz.passMark,
      attempts: quiz.attempts,
      time_limit_minutes: quiz.timeLimitMinutes,
      draw: quiz.draw,
      shuffle_questions: quiz.shuffleQuestions,
      shuffle_options: quiz.shuffleOptions,
      grading: quiz.grading,
      review: quiz.review,
      ...(quiz.final ? {} : { required: quiz.required }),
    }));
  }
  return yaml.dump(document, DUMP_OPTIONS);
}

/** Every file of the course's folder: course.yaml, the numbered lessons and one GIFT file per quiz. */
export function courseFolderFiles(course: ExportableCourse): ExportedFile[] {
  const { modules } = course.definition;
  const files: ExportedFile[] = [{ path: 'course.yaml', data: Buffer.from(courseYaml(course)) }];
  modules.forEach((module, index) => {
    const frontMatter = yaml.dump(
      { title: module.title, minutes: module.minutes, required: module.required },
      DUMP_OPTIONS,
    );
    files.push({
      path: lessonFileName(index, modules.length, module.slug),
      data: Buffer.from(`---\n${frontMatter}---\n\n${module.bodyMarkdown.trim()}\n`),
    });
  });
  for (const quiz of course.quizzes)
    files.push({ path: `quizzes/${quiz.slug}.gift`, data: Buffer.from(writeGift(quiz.questions)) });
  return files;
}

/**
 * Writes the course to `<contentRoot>/courses/<slug>/`. Files of the format that the course no
 * longer has (a deleted lesson, a renumbered one, a removed quiz or image) are removed; anything
 * else in the folder is left alone. Returns the folder.
 */
export function writeCourseFolder(
  contentRoot: string,
  course: ExportableCourse,
  extra: ExportedFile[] = [],
): string {
  const folder = join(contentRoot, 'courses', course.definition.slug);
  const files = [...courseFolderFiles(course), ...extra];
  const keep = new Set(files.map((f) => f.path));
  const stale = (dir: string, pattern: RegExp) =>
    existsSync(join(folder, dir))
      ? readdirSync(join(folder, dir))
          .filter((name) => pattern.test(name))
          .map((name) => (dir ? `${dir}/${name}` : name))
      : [];
  for (const path of [
    ...stale('', LESSON_FILE),
    ...stale('quizzes', /\.gift$/),
    ...stale('images', /^[^.][^/]*$/),
  ]) {
    if (!keep.has(path)) rmSync(join(folder, path), { force: true });
  }
  for (const file of files) {
    mkdirSync(dirname(join(folder, file.path)), { recursive: true });
    writeFileSync(join(folder, file.path), file.data);
  }
  return folder;
}
