import { plainText, renderMarkdown } from '../courses/markdown';

/** Words a minute a learner reads a lesson at. Urdu in Nastaliq reads slower than English. */
const WORDS_PER_MINUTE: Record<string, number> = { en: 200, ur: 150 };

export interface LessonStats {
  words: number;
  readingMinutes: number;
}

/** Word count of what the learner sees (Markdown syntax and dropped HTML not counted) and the reading time it implies. */
export function lessonStats(markdown: string, language: string): LessonStats {
  const text = plainText(renderMarkdown(markdown)).replace(/&[a-z]+;|&#\d+;/gi, ' ');
  const words = text.split(/\s+/).filter((word) => /[\p{L}\p{N}]/u.test(word)).length;
  const perMinute = WORDS_PER_MINUTE[language] ?? WORDS_PER_MINUTE.en;
  return { words, readingMinutes: words === 0 ? 0 : Math.max(1, Math.ceil(words / perMinute)) };
}
