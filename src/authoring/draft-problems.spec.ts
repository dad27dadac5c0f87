import { QuizzesService } from '../quizzes/quizzes.service';
import { DEFAULT_QUIZ_SETTINGS, DraftContent, DraftQuiz } from './draft-content';
import { findDraftProblems } from './draft-problems';

const quizzes = new QuizzesService(undefined as never, undefined as never, { create: () => undefined } as never);
const checkGift = (source: string) => quizzes.checkGiftSource(source);

function draft(overrides: Partial<DraftContent> = {}): DraftContent {
  return {
    title: 'Pricing basics',
    summary: 'Quote in Incoterms.',
    language: 'en',
    level: 'beginner',
    estimatedMinutes: 60,
    outcomes: ['Quote FOB'],
    revision: 1,
    modules: [
      { slug: 'fob', title: 'FOB', minutes: 10, required: true, bodyMarkdown: 'Free on board.', revision: 1 },
    ],
    quizzes: [],
    ...overrides,
  };
}

function quiz(overrides: Partial<DraftQuiz> = {}): DraftQuiz {
  return {
    ...DEFAULT_QUIZ_SETTINGS,
    slug: 'final',
    title: 'Final',
    module: null,
    final: true,
    required: true,
    questions: [
      { type: 'truefalse', name: 'fob', format: 'moodle', text: 'FOB ends on board.', answer: true },
    ],
    revision: 1,
    ...overrides,
  };
}

const keys = (d: DraftContent) =>
  findDraftProblems(d, checkGift).map((p) => p.key.replace('author.problems.', ''));

describe(findDraftProblems.name, () => {
  it('finds nothing wrong with a course that has a lesson and a valid final', () => {
    expect(findDraftProblems(draft({ quizzes: [quiz()] }), checkGift)).toEqual([]);
  });

  it('needs at least one lesson', () => {
    expect(keys(draft({ modules: [] }))).toEqual(['no_lessons']);
  });

  it('lists every problem at once, not just the first', () => {
    const broken = draft({
      title: '',
      outcomes: [],
      modules: [
        { slug: 'fob', title: 'FOB', minutes: 10, required: false, bodyMarkdown: '', revision: 1 },
        {
          slug: 'cif',
          title: '',
          minutes: 0,
          required: false,
          bodyMarkdown: 'x'.repeat(60_001),
          revision: 1,
        },
      ],
      quizzes: [
        quiz({ questions: [] }),
        quiz({ slug: 'final-2', title: 'Second final' }),
        quiz({
          slug: 'check',
          title: 'Check',
          final: false,
          required: false,
          module: 'gone',
          passMark: 0,
          questions: [],
        }),
      ],
    });
    expect(keys(broken)).toEqual([
      'title',
      'outcomes',
      'lesson_empty',
      'lesson_title',
      'lesson_too_long',
      'lesson_minutes',
      'two_finals',
      'required_quiz_empty',
      'quiz_lesson',
      'quiz_settings',
      'quiz_empty',
    ]);
  });

  it('refuses a course that nobody could complete because nothing is required', () => {
    const optional = draft({
      modules: [
        { slug: 'fob', title: 'FOB', minutes: 10, required: false, bodyMarkdown: 'Text.', revision: 1 },
      ],
    });
    expect(keys(optional)).toEqual(['nothing_required']);
  });

  it('checks every question, and the pool as GIFT (repeated names)', () => {
    const invalid = draft({
      quizzes: [
        quiz({
          questions: [
            {
              type: 'single',
              name: 'a',
              format: 'moodle',
              text: 'Pick',
              options: [{ text: 'Only one', weight: 100 }],
            },
          ],
        }),
      ],
    });
    const problems = findDraftProblems(invalid, checkGift);
    expect(problems).toEqual([
      {
        key: 'author.problems.question',
        params: { quiz: 'Final', number: 1, message: 'a single-choice question needs at least two options' },
      },
    ]);
    const twice = quiz().questions[0];
    expect(keys(draft({ quizzes: [quiz({ questions: [twice, twice] })] }))).toEqual(['quiz_gift']);
  });
});
