import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import yaml from 'js-yaml';
import { CourseDefinition, ModuleDefinition } from '../courses/course-definition';
import { COURSE_LEVELS, CourseLevel } from '../courses/course.entity';
import { MARKDOWN_RENDERER_VERSION } from '../courses/markdown';
import { firstNonUtf8Line } from '../common/utf8';
import { LOCALES } from '../users/user.entity';
import { FolderImage, FolderImages } from './folder-images';
import { CaptionsInvalidError, parseCaptions } from '../common/webvtt';

export interface ContentProblem {
  file: string;
  line: number;
  message: string;
}

export const SLUG_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const MODULE_FILE = /^(\d{2,3})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$/;
const MAX_LESSON_CHARS = 60_000;

export interface QuizEntry {
  slug: string;
  title: string;
  module: string | null;
  final: boolean;
  passMark: number;
  attempts: number;
  timeLimitMinutes: number;
  draw: number;
  shuffleQuestions: boolean;
  shuffleOptions: boolean;
  grading: 'highest' | 'latest';
  review: 'score' | 'wrong' | 'full';
  required: boolean;
  /** Path of the GIFT file, relative to the course folder, and its text. */
  file: string;
  source: string;
}

export interface LoadedCourse {
  slug: string;
  folder: string;
  definition: CourseDefinition;
  quizzes: QuizEntry[];
  /** Pictures the lessons and the cover point at by a relative path, with the names they are stored under. */
  images: FolderImage[];
  /** Lessons' `video:` and `captions:` keys, as absolute paths of files in the folder (see src/videos). */
  videos: FolderVideo[];
  hash: string;
}

export interface FolderVideo {
  lessonSlug: string;
  video: string;
  captions: { lang: 'en' | 'ur'; path: string }[];
}

/** `video: videos/x.mp4` and `captions: {en: videos/x.en.vtt, ur: …}` in a lesson's front matter: files under the folder's videos/. */
function readLessonVideo(meta: Record<string, unknown>, slug: string, folder: string, file: string, frontMatter: string, problems: ContentProblem[], videos: FolderVideo[]): void {
  if (meta.video === undefined && meta.captions === undefined) return;
  const inFolder = (value: unknown, key: string, example: string): string | null => {
    const line = 1 + lineOfKey(frontMatter, key);
    if (typeof value !== 'string' || !/^videos\/[A-Za-z0-9][A-Za-z0-9._-]*$/.test(value)) {
      problems.push({ file, line, message: `${key} must be the path of a file in the folder's videos/, e.g. ${example}` });
      return null;
    }
    const path = join(folder, value);
    if (!existsSync(path) || !statSync(path).isFile()) {
      problems.push({ file, line, message: `${value} does not exist` });
      return null;
    }
    return path;
  };
  const video = inFolder(meta.video, 'video', 'videos/pricing.mp4');
  const captions: FolderVideo['captions'] = [];
  if (meta.captions !== undefined) {
    const map = meta.captions;
    if (!map || typeof map !== 'object' || Array.isArray(map)) {
      problems.push({ file, line: 1 + lineOfKey(frontMatter, 'captions'), message: 'captions must map a language (en, ur) to a .vtt or .srt file, e.g. {en: videos/pricing.en.vtt}' });
    } else {
      for (const [lang, value] of Object.entries(map as Record<string, unknown>)) {
        if (lang !== 'en' && lang !== 'ur') {
          problems.push({ file, line: 1 + lineOfKey(frontMatter, 'captions'), message: `captions: "${lang}" is not a language of the site (en, ur)` });
          continue;
        }
        const path = inFolder(value, 'captions', `videos/pricing.${lang}.vtt`);
        if (!path) continue;
        try {
          parseCaptions(readFileSync(path));
          captions.push({ lang, path });
        } catch (error) {
          if (!(error instanceof CaptionsInvalidError)) throw error;
          problems.push({ file: relative(dirname(folder), path), line: error.line ?? 1, message: `not a usable caption file (${error.messageKey.replace('videos.captions_', '').replace(/_/g, ' ')})` });
        }
      }
    }
  }
  if (video) videos.push({ lessonSlug: slug, video, captions });
}

export type CourseLoadResult = { ok: true; course: LoadedCourse } | { ok: false; slug: string; problems: ContentProblem[] };

/** A check that quiz files parse; the quiz module plugs its GIFT parser in here. */
export type QuizSourceCheck = (source: string) => { line: number; message: string }[];

/** 1-based line of a top-level key in YAML text, for messages about a value that parsed but is wrong. */
function lineOfKey(text: string, key: string, from = 0): number {
  const lines = text.split('\n');
  for (let i = from; i < lines.length; i++) {
    if (new RegExp(`^\\s*-?\\s*${key}\\s*:`).test(lines[i])) return i + 1;
  }
  return 1;
}

function lineOfListItem(text: string, key: string, index: number): number {
  const lines = text.split('\n');
  const start = lineOfKey(text, key) - 1;
  let seen = -1;
  for (let i = start + 1; i < lines.length; i++) {
    if (/^\S/.test(lines[i]) && lines[i].trim()) break;
    if (/^\s*-\s/.test(lines[i]) && lines[i].search(/\S/) === lines[start + 1]?.search(/\S/)) {
      seen += 1;
      if (seen === index) return i + 1;
    }
  }
  return start + 1;
}

function parseYaml(text: string, file: string, problems: ContentProblem[]): Record<string, unknown> | null {
  try {
    const value = yaml.load(text);
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      problems.push({ file, line: 1, message: 'must be a YAML mapping of keys to values' });
      return null;
    }
    return value as Record<string, unknown>;
  } catch (error) {
    const mark = (error as yaml.YAMLException).mark;
    problems.push({ file, line: (mark?.line ?? 0) + 1, message: `YAML syntax: ${(error as yaml.YAMLException).reason ?? String(error)}` });
    return null;
  }
}

/** A content file's text, or null (with a problem) when it is not UTF-8: never read it with U+FFFD in it. */
function readText(path: string, file: string, problems: ContentProblem[]): string | null {
  const bytes = readFileSync(path);
  const badLine = firstNonUtf8Line(bytes);
  if (badLine === null) return bytes.toString('utf8');
  problems.push({ file, line: badLine, message: 'not UTF-8: save the file as UTF-8 (letters such as é or Urdu would be garbled)' });
  return null;
}

function text(value: unknown, max: number): string | null {
  return typeof value === 'string' && value.trim() && value.trim().length <= max ? value.trim() : null;
}

function positiveNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}

function readLesson(path: string, file: string, problems: ContentProblem[], images: FolderImages, videos: FolderVideo[]): ModuleDefinition | null {
  const name = file.split('/').pop() as string;
  const match = MODULE_FILE.exec(name);
  if (!match) return null;
  const raw = readText(path, file, problems);
  if (raw === null) return null;
  const source = raw.replace(/\r\n/g, '\n');
  const frontMatter = /^---\n([\s\S]*?)\n---\n?/.exec(source);
  if (!frontMatter) {
    problems.push({ file, line: 1, message: 'must start with YAML front matter between --- lines (title, minutes)' });
    return null;
  }
  const before = problems.length;
  const meta = parseYaml(frontMatter[1], file, problems);
  if (!meta) {
    // YAML line numbers count from the front matter's first line, which is line 2 of the file.
    for (const problem of problems.slice(before)) problem.line += 1;
    return null;
  }
  const title = text(meta.title, 200);
  if (!title) problems.push({ file, line: 1 + lineOfKey(frontMatter[1], 'title'), message: 'title is required (at most 200 characters)' });
  const minutes = positiveNumber(meta.minutes);
  if (!minutes) problems.push({ file, line: 1 + lineOfKey(frontMatter[1], 'minutes'), message: 'minutes must be a number greater than 0' });
  if (meta.required !== undefined && typeof meta.required !== 'boolean') {
    problems.push({ file, line: 1 + lineOfKey(frontMatter[1], 'required'), message: 'required must be true or false' });
  }
  const rest = source.slice(frontMatter[0].length);
  const bodyLine = frontMatter[0].split('\n').length;
  const firstLine = bodyLine + (rest.slice(0, rest.length - rest.trimStart().length).match(/\n/g)?.length ?? 0);
  const body = images.rewriteLesson(rest.trim(), file, firstLine);
  if (!body) problems.push({ file, line: bodyLine, message: 'the lesson has no text after the front matter' });
  if (body.length > MAX_LESSON_CHARS) problems.push({ file, line: bodyLine, message: `the lesson is longer than ${MAX_LESSON_CHARS} characters; split it` });
  readLessonVideo(meta, match[2], dirname(path), file, frontMatter[1], problems, videos);
  if (problems.length > before) return null;
  return { slug: match[2], title: title as string, minutes: Math.round(minutes as number), required: meta.required !== false, bodyMarkdown: body };
}

function readQuizzes(
  raw: unknown,
  courseYaml: string,
  folder: string,
  relFolder: string,
  moduleSlugs: Set<string>,
  checkQuiz: QuizSourceCheck | undefined,
  problems: ContentProblem[],
): QuizEntry[] {
  if (raw === undefined) return [];
  const yamlFile = `${relFolder}/course.yaml`;
  if (!Array.isArray(raw)) {
    problems.push({ file: yamlFile, line: lineOfKey(courseYaml, 'quizzes'), message: 'quizzes must be a list' });
    return [];
  }
  const quizzes: QuizEntry[] = [];
  const seen = new Set<string>();
  raw.forEach((item: Record<string, unknown>, index) => {
    const line = lineOfListItem(courseYaml, 'quizzes', index);
    const fail = (message: string) => problems.push({ file: yamlFile, line, message: `quiz ${index + 1}: ${message}` });
    if (!item || typeof item !== 'object') return fail('must be a mapping');
    const slug = typeof item.slug === 'string' ? item.slug : '';
    if (!SLUG_PATTERN.test(slug)) return fail('slug must be lower-case letters, digits and hyphens');
    if (seen.has(slug)) return fail(`slug "${slug}" is used twice`);
    seen.add(slug);
    const title = text(item.title, 200);
    if (!title) fail('title is required');
    const final = item.final === true;
    const module = typeof item.module === 'string' ? item.module : null;
    if (module && !moduleSlugs.has(module)) fail(`module "${module}" is not a lesson of this course`);
    if (!final && !module) fail('needs a module (the lesson it follows) unless it is the final assessment (final: true)');
    const int = (key: string, fallback: number, min: number, max: number) => {
      const value = item[key] ?? fallback;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
        fail(`${key} must be a whole number from ${min} to ${max}`);
        return fallback;
      }
      return value;
    };
    const choice = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
      const value = item[key] ?? fallback;
      if (!allowed.includes(value as T)) {
        fail(`${key} must be one of ${allowed.join(', ')}`);
        return fallback;
      }
      return value as T;
    };
    const bool = (key: string, fallback: boolean) => {
      const value = item[key] ?? fallback;
      if (typeof value !== 'boolean') {
        fail(`${key} must be true or false`);
        return fallback;
      }
      return value;
    };
    const entry: QuizEntry = {
      slug,
      title: title ?? '',
      module,
      final,
      passMark: int('pass_mark', 70, 1, 100),
      attempts: int('attempts', 0, 0, 100),
      timeLimitMinutes: int('time_limit_minutes', 0, 0, 600),
      draw: int('draw', 0, 0, 500),
      shuffleQuestions: bool('shuffle_questions', true),
      shuffleOptions: bool('shuffle_options', true),
      grading: choice('grading', ['highest', 'latest'] as const, 'highest'),
      review: choice('review', ['score', 'wrong', 'full'] as const, 'full'),
      required: final || bool('required', false),
      file: `quizzes/${slug}.gift`,
      source: '',
    };
    const path = join(folder, entry.file);
    if (!existsSync(path)) return fail(`the file ${entry.file} does not exist`);
    const source = readText(path, `${relFolder}/${entry.file}`, problems);
    if (source === null) return;
    entry.source = source;
    for (const problem of checkQuiz?.(entry.source) ?? []) {
      problems.push({ file: `${relFolder}/${entry.file}`, line: problem.line, message: problem.message });
    }
    quizzes.push(entry);
  });
  if (quizzes.filter((q) => q.final).length > 1) {
    problems.push({ file: yamlFile, line: lineOfKey(courseYaml, 'quizzes'), message: 'only one quiz may be the final assessment' });
  }
  return quizzes;
}

/** `cover: images/<name>`: a picture in the folder's images/ (see folder-images.ts). */
function readCover(value: unknown, images: FolderImages, yamlFile: string, line: number, problems: ContentProblem[]): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || !value.startsWith('images/')) {
    problems.push({ file: yamlFile, line, message: 'cover must be the path of a picture in the folder, e.g. images/cover.jpg' });
    return null;
  }
  return images.resolve(value.slice('images/'.length), yamlFile, line);
}

/** Reads and validates one course folder; every problem comes back with its file and line. */
export function loadCourseFolder(contentRoot: string, folder: string, checkQuiz?: QuizSourceCheck): CourseLoadResult {
  const slug = folder.split('/').pop() as string;
  const relFolder = relative(contentRoot, folder) || slug;
  const problems: ContentProblem[] = [];
  const yamlFile = `${relFolder}/course.yaml`;
  if (!SLUG_PATTERN.test(slug) || slug.length > 80) {
    problems.push({ file: relFolder, line: 0, message: 'folder name must be a slug: lower-case letters, digits and hyphens, at most 80 characters' });
  }
  const yamlPath = join(folder, 'course.yaml');
  if (!existsSync(yamlPath)) {
    return { ok: false, slug, problems: [...problems, { file: yamlFile, line: 0, message: 'course.yaml is missing' }] };
  }
  const rawYaml = readText(yamlPath, yamlFile, problems);
  if (rawYaml === null) return { ok: false, slug, problems };
  const courseYaml = rawYaml.replace(/\r\n/g, '\n');
  const meta = parseYaml(courseYaml, yamlFile, problems);
  if (!meta) return { ok: false, slug, problems };

  const title = text(meta.title, 200);
  if (!title) problems.push({ file: yamlFile, line: lineOfKey(courseYaml, 'title'), message: 'title is required (at most 200 characters)' });
  const summary = text(meta.summary, 1000);
  if (!summary) problems.push({ file: yamlFile, line: lineOfKey(courseYaml, 'summary'), message: 'summary is required (at most 1000 characters)' });
  const language = meta.language;
  if (!(LOCALES as readonly unknown[]).includes(language)) {
    problems.push({ file: yamlFile, line: lineOfKey(courseYaml, 'language'), message: `language must be one of ${LOCALES.join(', ')}` });
  }
  const level = meta.level;
  if (!(COURSE_LEVELS as readonly unknown[]).includes(level)) {
    problems.push({ file: yamlFile, line: lineOfKey(courseYaml, 'level'), message: `level must be one of ${COURSE_LEVELS.join(', ')}` });
  }
  const hours = positiveNumber(meta.hours);
  if (!hours) problems.push({ file: yamlFile, line: lineOfKey(courseYaml, 'hours'), message: 'hours must be a number greater than 0' });
  const outcomes = Array.isArray(meta.outcomes) ? meta.outcomes.filter((o): o is string => typeof o === 'string' && o.trim() !== '') : [];
  if (outcomes.length === 0 || outcomes.length !== (meta.outcomes as unknown[]).length) {
    problems.push({ file: yamlFile, line: lineOfKey(courseYaml, 'outcomes'), message: 'outcomes must be a list of at least one non-empty text' });
  }

  const images = new FolderImages(folder, relFolder, problems);
  const coverImage = readCover(meta.cover, images, yamlFile, lineOfKey(courseYaml, 'cover'), problems);

  const modules: ModuleDefinition[] = [];
  const videos: FolderVideo[] = [];
  const numbers = new Map<string, string>();
  for (const name of readdirSync(folder).sort()) {
    const path = join(folder, name);
    if (!name.endsWith('.md') || !statSync(path).isFile()) continue;
    const file = `${relFolder}/${name}`;
    const match = MODULE_FILE.exec(name);
    if (!match) {
      problems.push({ file, line: 0, message: 'lesson files are named NN-module-slug.md (e.g. 01-b2b-marketplaces.md)' });
      continue;
    }
    if (numbers.has(match[1])) problems.push({ file, line: 0, message: `number ${match[1]} is also used by ${numbers.get(match[1])}` });
    numbers.set(match[1], name);
    if (modules.some((m) => m.slug === match[2])) {
      problems.push({ file, line: 0, message: `module slug "${match[2]}" is used twice` });
      continue;
    }
    const lesson = readLesson(path, file, problems, images, videos);
    if (lesson) modules.push(lesson);
  }
  if (modules.length === 0 && !problems.some((p) => p.file.endsWith('.md'))) {
    problems.push({ file: relFolder, line: 0, message: 'a course needs at least one lesson (NN-module-slug.md)' });
  }

  const quizzes = readQuizzes(meta.quizzes, courseYaml, folder, relFolder, new Set(modules.map((m) => m.slug)), checkQuiz, problems);
  if (problems.length > 0) return { ok: false, slug, problems };

  const definition: CourseDefinition = {
    slug,
    title: title as string,
    summary: summary as string,
    language: language as string,
    level: level as CourseLevel,
    estimatedMinutes: Math.round((hours as number) * 60),
    outcomes: outcomes.map((o) => o.trim()),
    coverImage,
    modules,
  };
  // A replaced video file (same name, new bytes) changes its size or time: the folder is imported again.
  const videoFiles = videos.flatMap((v) => [v.video, ...v.captions.map((c) => c.path)]).map((path) => [relative(folder, path), statSync(path).size, statSync(path).mtimeMs]);
  const hash = createHash('sha256').update(JSON.stringify({ definition, quizzes, renderer: MARKDOWN_RENDERER_VERSION, ...(videoFiles.length ? { videoFiles } : {}) })).digest('hex');
  return { ok: true, course: { slug, folder, definition, quizzes, images: images.list(), videos, hash } };
}

/** Every course folder under `<root>/courses`. */
export function listCourseFolders(contentRoot: string): string[] {
  const coursesDir = join(contentRoot, 'courses');
  if (!existsSync(coursesDir)) return [];
  return readdirSync(coursesDir)
    .filter((name) => !name.startsWith('.') && statSync(join(coursesDir, name)).isDirectory())
    .sort()
    .map((name) => join(coursesDir, name));
}
