import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import type { QuestionDefinition } from '../question.types';
import { parseGift, type ParsedGiftQuestion } from './gift-parser';
import { writeGift } from './gift-writer';

const FIXTURES = join(__dirname, '../../../test/fixtures/gift');

function withoutLines(questions: ParsedGiftQuestion[]): QuestionDefinition[] {
  return questions.map(({ line: _line, ...question }) => question);
}

/** Write, read back, and insist nothing was lost or reported. */
function roundTrip(questions: QuestionDefinition[]): QuestionDefinition[] {
  const { questions: reread, errors } = parseGift(writeGift(questions));
  expect(errors).toEqual([]);
  return withoutLines(reread);
}

describe(writeGift.name, () => {
  describe('round trip through parseGift', () => {
    const parsedFixtures = readdirSync(FIXTURES)
      .filter((file) => file.endsWith('.gift'))
      .map(
        (file) =>
          [file, withoutLines(parseGift(readFileSync(join(FIXTURES, file), 'utf8')).questions)] as const,
      )
      .filter(([, questions]) => questions.length > 0);

    it.each(parsedFixtures)('reads back every question %s parses to the same definition', (_file, parsed) => {
      expect(roundTrip(parsed)).toEqual(parsed);
    });

    it('is stable: writing what it wrote and read back gives the same text', () => {
      const parsed = parseGift(readFileSync(join(FIXTURES, 'every-construct.gift'), 'utf8')).questions;
      const once = writeGift(parsed);
      expect(writeGift(parseGift(once).questions)).toBe(once);
    });
  });

  describe('escaping', () => {
    const nasty = 'a ~b =c #d {e} f:g \\h \\n ->i %j* [k] //l $m';

    it('escapes every special character in names, texts, answers and feedback', () => {
      const question: QuestionDefinition = {
        type: 'single',
        name: `name ${nasty} ::`,
        format: 'moodle',
        text: nasty,
        options: [
          { text: nasty, weight: 100, feedback: nasty },
          { text: 'other', weight: 0 },
        ],
        generalFeedback: nasty,
      };
      expect(roundTrip([question])).toEqual([question]);
    });

    it('writes line breaks as \\n so a text never ends its question, and normalises \\r\\n', () => {
      const question: QuestionDefinition = { type: 'essay', format: 'plain', text: 'one\r\n\r\ntwo\rthree' };
      const gift = writeGift([question]);
      expect(gift.trim().split('\n')).toHaveLength(1);
      expect(roundTrip([question])).toEqual([{ ...question, text: 'one\n\ntwo\nthree' }]);
    });

    it('keeps an answer that starts with % from being read as a weight', () => {
      const question: QuestionDefinition = {
        type: 'short',
        format: 'moodle',
        text: 'Typical deposit?',
        options: [
          { text: '%30 up front', weight: 100 },
          { text: '%50%', weight: 50 },
        ],
      };
      expect(roundTrip([question])).toEqual([question]);
    });

    it('keeps -> in a short answer or a matching left side from being read as an arrow', () => {
      const questions: QuestionDefinition[] = [
        {
          type: 'short',
          format: 'moodle',
          text: 'Flow?',
          options: [{ text: 'order -> invoice', weight: 100 }],
        },
        {
          type: 'matching',
          format: 'moodle',
          text: 'Match.',
          pairs: [
            { left: 'a -> b', right: 'c -> d' },
            { left: 'e-', right: '>f' },
            { left: '', right: '-> g' },
          ],
        },
      ];
      expect(roundTrip(questions)).toEqual(questions);
    });

    it('tags a text that would otherwise look like a format tag, a comment or a category line', () => {
      const questions: QuestionDefinition[] = [
        '[html] is not the format',
        '// not a comment',
        '$CATEGORY: not one',
      ].map((text) => ({ type: 'truefalse', format: 'moodle', text, answer: true }));
      const gift = writeGift(questions);
      expect(gift).toContain('[moodle][html] is not the format');
      expect(roundTrip(questions)).toEqual(questions);
    });
  });

  describe('layout', () => {
    it('writes nothing for no questions', () => {
      expect(writeGift([])).toBe('');
    });

    it('writes $CATEGORY only where the category changes, and an empty one to leave it', () => {
      const question = (text: string, category?: string): QuestionDefinition => ({
        type: 'truefalse',
        format: 'moodle',
        text,
        answer: true,
        ...(category && { category }),
      });
      const questions = [question('A', 'one'), question('B', 'one'), question('C', 'two'), question('D')];
      const gift = writeGift(questions);
      expect(gift.match(/^\$CATEGORY:.*$/gm)).toEqual(['$CATEGORY: one', '$CATEGORY: two', '$CATEGORY:']);
      expect(roundTrip(questions)).toEqual(questions);
    });

    it('writes the [format] tag only when the format is not moodle', () => {
      const gift = writeGift([
        { type: 'essay', format: 'markdown', text: 'Write **this**.' },
        { type: 'essay', format: 'moodle', text: 'Plain.' },
      ]);
      expect(gift).toBe('[markdown]Write **this**. {}\n\nPlain. {}\n');
    });

    it('writes a multiple-response block with every weight, so it always reads back as one', () => {
      const question: QuestionDefinition = {
        type: 'multiple',
        format: 'moodle',
        text: 'Which?',
        options: [
          { text: 'all of it', weight: 100 },
          { text: 'none', weight: 0 },
        ],
      };
      expect(writeGift([question])).toContain('~%100%all of it');
      expect(roundTrip([question])).toEqual([question]);
    });

    it('writes an empty question text with its blank first for a missing word', () => {
      const question: QuestionDefinition = {
        type: 'missingword',
        format: 'moodle',
        text: '',
        textAfter: 'is the largest port.',
        options: [
          { text: 'Karachi', weight: 100 },
          { text: 'Sialkot', weight: 0 },
        ],
      };
      expect(roundTrip([question])).toEqual([question]);
    });
  });

  describe('true/false feedback', () => {
    const base: QuestionDefinition = { type: 'truefalse', format: 'moodle', text: 'Q?', answer: true };

    it.each([
      ['no feedback', {}],
      ['feedback for a true answer only', { trueFeedback: 'Yes.' }],
      ['feedback for a false answer only', { falseFeedback: 'No.' }],
      [
        'both, and general feedback',
        { trueFeedback: 'Yes.', falseFeedback: 'No.', generalFeedback: 'Because.' },
      ],
    ])('round-trips %s, whichever the answer', (_label, feedback) => {
      for (const answer of [true, false]) {
        const question = { ...base, ...feedback, answer };
        expect(roundTrip([question])).toEqual([question]);
      }
    });
  });

  describe('numeric answers', () => {
    it('round-trips one answer with feedback, graded alternatives, ranges and awkward numbers', () => {
      const questions: QuestionDefinition[] = [
        {
          type: 'numeric',
          format: 'moodle',
          text: 'One?',
          numeric: [{ kind: 'tolerance', value: 0.1 + 0.2, tolerance: 1e-7, weight: 100, feedback: 'Near.' }],
          generalFeedback: 'Floats.',
        },
        {
          type: 'numeric',
          format: 'moodle',
          text: 'Several?',
          textAfter: 'days',
          numeric: [
            { kind: 'range', min: -1e21, max: 2.5e21, weight: 100 },
            { kind: 'tolerance', value: -3, tolerance: 0, weight: 33.33333, feedback: 'Hmm: #3?' },
            { kind: 'tolerance', value: 7, tolerance: 2, weight: -50 },
          ],
        },
      ];
      expect(roundTrip(questions)).toEqual(questions);
    });
  });

  describe('random definitions', () => {
    // A small seeded generator: the same cases every run, many more than written by hand.
    function random(seed: number): () => number {
      let state = seed;
      return () => {
        state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
        return state / 2_147_483_648;
      };
    }
    const ALPHABET = 'ab Z9:~=#{}\\%->*[]/$\n.T';

    it('reads back 300 random questions made of special characters', () => {
      const next = random(42);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
      const text = (): string => {
        let out = '';
        const length = 1 + Math.floor(next() * 12);
        while (out.trim() === '') {
          for (let i = 0; i < length; i++) out += pick([...ALPHABET]);
          out = out.trim();
        }
        return out;
      };
      const maybe = (): string | undefined => (next() < 0.5 ? text() : undefined);
      const build = (): QuestionDefinition => {
        const common = {
          format: pick(['moodle', 'html', 'markdown', 'plain'] as const),
          text: text(),
          ...(next() < 0.5 && { name: text() }),
          ...(next() < 0.3 && { generalFeedback: text() }),
        };
        const feedback = (): { feedback?: string } => {
          const value = maybe();
          return value === undefined ? {} : { feedback: value };
        };
        switch (pick(['single', 'multiple', 'short', 'matching', 'truefalse', 'missingword'] as const)) {
          case 'single':
            return {
              ...common,
              type: 'single',
              options: [
                { text: text(), weight: 100, ...feedback() },
                { text: text(), weight: 0 },
              ],
            };
          case 'missingword':
            return {
              ...common,
              type: 'missingword',
              textAfter: text(),
              options: [
                { text: text(), weight: 0, ...feedback() },
                { text: text(), weight: 100 },
              ],
            };
          case 'multiple':
            return {
              ...common,
              type: 'multiple',
              options: [
                { text: text(), weight: 50 },
                { text: text(), weight: 50, ...feedback() },
                { text: text(), weight: -25 },
              ],
            };
          case 'short':
            return {
              ...common,
              type: 'short',
              options: [
                { text: text(), weight: 100, ...feedback() },
                { text: text(), weight: 40 },
              ],
            };
          case 'matching':
            return {
              ...common,
              type: 'matching',
              pairs: [
                { left: text(), right: text() },
                { left: text(), right: text() },
                { left: '', right: text() },
              ],
            };
          case 'truefalse': {
            const trueFeedback = maybe();
            const falseFeedback = maybe();
            return {
              ...common,
              type: 'truefalse',
              answer: next() < 0.5,
              ...(trueFeedback !== undefined && { trueFeedback }),
              ...(falseFeedback !== undefined && { falseFeedback }),
            };
          }
        }
      };
      const questions = Array.from({ length: 300 }, build);
      expect(roundTrip(questions)).toEqual(questions);
    });
  });
});
