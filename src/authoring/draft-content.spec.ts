import {
  DEFAULT_QUIZ_SETTINGS,
  DraftContent,
  normalizeQuestion,
  questionName,
  rebaseDraft,
  slugify,
  uniqueSlug,
} from './draft-content';

describe('draft content', () => {
  it('makes slugs from titles, and unique ones', () => {
    expect(slugify('Price in €uros: FOB & CIF — Café')).toBe('price-in-uros-fob-cif-cafe');
    expect(slugify('قیمت')).toBe('');
    expect(uniqueSlug('final', ['final', 'final-2'])).toBe('final-3');
    expect(
      questionName({ type: 'essay', format: 'moodle', text: 'Describe your buyer' }, ['describe-your-buyer']),
    ).toBe('describe-your-buyer-2');
  });

  it('normalizes a form-built question to what GIFT import would produce, or says why not', () => {
    const { question, problems } = normalizeQuestion({
      type: 'short',
      name: 'code',
      format: 'moodle',
      text: 'Currency code: {EUR}?',
      options: [{ text: 'EUR', weight: 100 }],
    });
    expect(problems).toEqual([]);
    expect(question).toEqual({
      type: 'short',
      name: 'code',
      format: 'moodle',
      text: 'Currency code: {EUR}?',
      options: [{ text: 'EUR', weight: 100 }],
    });
    expect(normalizeQuestion({ type: 'truefalse', format: 'moodle', text: 'No answer' }).problems).toEqual([
      'a true/false question needs its answer, true or false',
    ]);
  });

  it('rebases a draft on a newly imported live course, bumping only what changed', () => {
    const module = (slug: string, bodyMarkdown: string, revision: number) => ({
      slug,
      title: slug,
      minutes: 5,
      required: true,
      bodyMarkdown,
      revision,
    });
    const quiz = {
      ...DEFAULT_QUIZ_SETTINGS,
      slug: 'final',
      title: 'Final',
      module: null,
      final: true,
      required: true,
      questions: [],
      revision: 4,
    };
    const base: DraftContent = {
      title: 'T',
      summary: 'S',
      language: 'en',
      level: 'beginner',
      estimatedMinutes: 60,
      outcomes: ['O'],
      revision: 3,
      modules: [module('a', 'same', 5), module('b', 'old', 2)],
      quizzes: [quiz],
    };
    const live: DraftContent = {
      ...base,
      revision: 1,
      modules: [module('a', 'same', 1), module('b', 'new', 1), module('c', 'added', 1)],
      quizzes: [{ ...quiz, revision: 1 }],
    };
    const rebased = rebaseDraft(base, live);
    expect(rebased.modules.map((m) => [m.slug, m.revision])).toEqual([
      ['a', 5],
      ['b', 3],
      ['c', 1],
    ]);
    expect(rebased.quizzes[0].revision).toBe(4);
    expect(rebased.revision).toBe(4);
  });
});
