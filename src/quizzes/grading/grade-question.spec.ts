import { readFileSync } from 'fs';
import { join } from 'path';
import { parseGift } from '../gift/gift-parser';
import type { QuestionDefinition, QuestionResponse } from '../question.types';
import {
  correctResponse,
  gradeQuestion,
  matchesWildcard,
  parseLearnerNumber,
  validateQuestion,
  wrongResponse,
} from './grade-question';

function question(source: string): QuestionDefinition {
  const { questions, errors } = parseGift(source);
  expect(errors).toEqual([]);
  const { line: _line, ...definition } = questions[0];
  return definition;
}

describe(gradeQuestion.name, () => {
  describe('any question', () => {
    const q = question('Q?{=yes ~no ####Because.}');

    it('treats a missing response as unanswered with score 0, and still shows the general feedback', () => {
      expect(gradeQuestion(q, null)).toEqual({ score: 0, status: 'unanswered', feedback: ['Because.'] });
      expect(gradeQuestion(q, undefined)).toEqual({ score: 0, status: 'unanswered', feedback: ['Because.'] });
    });

    it('treats a response of another type as unanswered rather than guessing', () => {
      expect(gradeQuestion(q, { type: 'truefalse', value: true })).toMatchObject({
        score: 0,
        status: 'unanswered',
      });
    });
  });

  describe('single choice', () => {
    const q = question(`Who insures under CIF?
{
  =The seller #Right.
  ~The buyer #No: the buyer only bears the risk.
  ~Nobody
  ####CIF obliges the seller to insure.
}`);

    it('gives full marks for the right option, with its feedback then the general feedback', () => {
      expect(gradeQuestion(q, { type: 'single', option: 0 })).toEqual({
        score: 1,
        status: 'correct',
        feedback: ['Right.', 'CIF obliges the seller to insure.'],
      });
    });

    it('gives nothing for a wrong option, with that option’s feedback', () => {
      expect(gradeQuestion(q, { type: 'single', option: 1 })).toEqual({
        score: 0,
        status: 'incorrect',
        feedback: ['No: the buyer only bears the risk.', 'CIF obliges the seller to insure.'],
      });
    });

    it('is unanswered when no option was chosen', () => {
      expect(gradeQuestion(q, { type: 'single', option: null })).toMatchObject({
        score: 0,
        status: 'unanswered',
      });
    });

    it('never awards an option that does not exist', () => {
      for (const option of [3, -1, 0.5]) {
        expect(gradeQuestion(q, { type: 'single', option })).toMatchObject({ score: 0, status: 'incorrect' });
      }
    });
  });

  describe('missing word', () => {
    const q = question('Exporters register with the {=FBR ~SECP #That is for companies.} for sales tax.');

    it('grades the chosen word like a single choice', () => {
      expect(gradeQuestion(q, { type: 'missingword', option: 0 })).toMatchObject({
        score: 1,
        status: 'correct',
      });
      expect(gradeQuestion(q, { type: 'missingword', option: 1 })).toEqual({
        score: 0,
        status: 'incorrect',
        feedback: ['That is for companies.'],
      });
    });
  });

  describe('multiple response', () => {
    const q = question(`Which documents does a letter of credit call for?
{
  ~%50%Commercial invoice #Yes.
  ~%50%Bill of lading #Yes.
  ~%-100%A photo of the factory #Never.
  ~Certificate of insurance
}`);
    const choose = (...options: number[]): QuestionResponse => ({ type: 'multiple', options });

    it('sums the weights of the chosen options into partial credit', () => {
      expect(gradeQuestion(q, choose(0))).toEqual({ score: 0.5, status: 'partial', feedback: ['Yes.'] });
      expect(gradeQuestion(q, choose(0, 1))).toEqual({
        score: 1,
        status: 'correct',
        feedback: ['Yes.', 'Yes.'],
      });
    });

    it('gives nothing for a zero-weight option on its own', () => {
      expect(gradeQuestion(q, choose(3))).toMatchObject({ score: 0, status: 'incorrect' });
    });

    it('takes a wrong option’s negative weight off the right ones', () => {
      const thirds = question('Q?{~%50%a ~%50%b ~%-25%c}');
      expect(gradeQuestion(thirds, choose(0, 1, 2))).toMatchObject({ score: 0.75, status: 'partial' });
    });

    it('a multiple-response answer that picks a wrong option loses its negative weight but never goes below zero', () => {
      expect(gradeQuestion(q, choose(0, 2))).toEqual({
        score: 0,
        status: 'incorrect',
        feedback: ['Yes.', 'Never.'],
      });
      expect(gradeQuestion(q, choose(2))).toMatchObject({ score: 0 });
    });

    it('caps the score at 1 when weights of a hand-built question add up to more', () => {
      const generous: QuestionDefinition = {
        type: 'multiple',
        format: 'moodle',
        text: 'Q?',
        options: [
          { text: 'a', weight: 100 },
          { text: 'b', weight: 100 },
        ],
      };
      expect(gradeQuestion(generous, choose(0, 1))).toMatchObject({ score: 1, status: 'correct' });
    });

    it('counts three thirds of 33.33333% as full marks', () => {
      const thirds = question('Q?{~%33.33333%a ~%33.33333%b ~%33.33333%c ~%-100%d}');
      expect(gradeQuestion(thirds, choose(0, 1, 2))).toMatchObject({ score: 1, status: 'correct' });
      expect(gradeQuestion(thirds, choose(0, 1)).score).toBeCloseTo(0.6666666, 6);
    });

    it('counts an option sent twice once and ignores options that do not exist', () => {
      expect(gradeQuestion(q, choose(0, 0, 9, -1))).toMatchObject({ score: 0.5, feedback: ['Yes.'] });
    });

    it('reports feedback in the question’s order, whatever order the options were sent in', () => {
      expect(gradeQuestion(q, choose(2, 0)).feedback).toEqual(['Yes.', 'Never.']);
    });

    it('is unanswered when nothing was ticked', () => {
      expect(gradeQuestion(q, choose())).toMatchObject({ score: 0, status: 'unanswered' });
    });
  });

  describe('true/false', () => {
    const q = question('Incoterms fix the price.{FALSE#Wrong: only costs and risk.#Right.####See module 2.}');

    it('gives full marks for the right value with the feedback for that answer', () => {
      expect(gradeQuestion(q, { type: 'truefalse', value: false })).toEqual({
        score: 1,
        status: 'correct',
        feedback: ['Right.', 'See module 2.'],
      });
    });

    it('gives nothing for the wrong value with the feedback for that answer', () => {
      expect(gradeQuestion(q, { type: 'truefalse', value: true })).toEqual({
        score: 0,
        status: 'incorrect',
        feedback: ['Wrong: only costs and risk.', 'See module 2.'],
      });
    });

    it('is unanswered when neither was chosen', () => {
      expect(gradeQuestion(q, { type: 'truefalse', value: null })).toMatchObject({ status: 'unanswered' });
    });
  });

  describe('short answer', () => {
    const q = question(`What does FOB stand for?
{
  =Free on board #Right.
  =%50%free on boat #Close.
  =%0%FOB* #Spell it out.
}`);
    const typed = (text: string): QuestionResponse => ({ type: 'short', text });

    it('ignores case, surrounding spaces and repeated inner spaces', () => {
      expect(gradeQuestion(q, typed('  FREE   on\tBoard '))).toEqual({
        score: 1,
        status: 'correct',
        feedback: ['Right.'],
      });
    });

    it('gives the weight of an answer that earns partial credit', () => {
      expect(gradeQuestion(q, typed('Free on boat'))).toEqual({
        score: 0.5,
        status: 'partial',
        feedback: ['Close.'],
      });
    });

    it('lets * stand for any run of characters, including none', () => {
      expect(gradeQuestion(q, typed('FOB'))).toEqual({
        score: 0,
        status: 'incorrect',
        feedback: ['Spell it out.'],
      });
      expect(gradeQuestion(q, typed('fob Karachi'))).toMatchObject({ feedback: ['Spell it out.'] });
    });

    it('takes the best weight when several answers match', () => {
      const overlapping = question('Port?{=%50%Karachi* =Karachi Port}');
      expect(gradeQuestion(overlapping, typed('karachi port'))).toMatchObject({ score: 1 });
      expect(gradeQuestion(overlapping, typed('karachi harbour'))).toMatchObject({ score: 0.5 });
    });

    it('gives nothing and no feedback for an answer that matches nothing', () => {
      expect(gradeQuestion(q, typed('Free alongside ship'))).toEqual({
        score: 0,
        status: 'incorrect',
        feedback: [],
      });
    });

    it('is unanswered when only spaces were typed', () => {
      expect(gradeQuestion(q, typed('   '))).toMatchObject({ score: 0, status: 'unanswered' });
    });

    it('treats regular-expression characters in an answer literally', () => {
      const dotted = question('Domain?{=alibaba.com}');
      expect(gradeQuestion(dotted, typed('alibabaxcom'))).toMatchObject({ score: 0 });
      expect(gradeQuestion(dotted, typed('Alibaba.com'))).toMatchObject({ score: 1 });
    });

    it('compares Urdu answers after Unicode normalisation', () => {
      const urdu = question('Capital?{=اسلام آباد}');
      expect(gradeQuestion(urdu, typed(' اسلام  آباد '))).toMatchObject({ score: 1 });
    });
  });

  describe('numeric', () => {
    const typed = (text: string): QuestionResponse => ({ type: 'numeric', text });
    const tolerance = question('Days to Hamburg?{#25:5#About right.}');

    it('accepts a value within the tolerance, bounds included', () => {
      for (const text of ['20', '25', '30', '27.5']) {
        expect(gradeQuestion(tolerance, typed(text))).toEqual({
          score: 1,
          status: 'correct',
          feedback: ['About right.'],
        });
      }
      expect(gradeQuestion(tolerance, typed('30.001'))).toMatchObject({
        score: 0,
        status: 'incorrect',
        feedback: [],
      });
      expect(gradeQuestion(tolerance, typed('19.999'))).toMatchObject({ score: 0 });
    });

    it('keeps tolerance bounds inclusive despite binary floating point', () => {
      const tenth = question('Q?{#1.1:0.1}');
      expect(gradeQuestion(tenth, typed('1.0'))).toMatchObject({ score: 1 });
      expect(gradeQuestion(tenth, typed('1.2'))).toMatchObject({ score: 1 });
      expect(gradeQuestion(tenth, typed('1.2001'))).toMatchObject({ score: 0 });
    });

    it('accepts a range, both ends included', () => {
      const range = question('Card fee?{#1..2}');
      for (const text of ['1', '1.5', '2'])
        expect(gradeQuestion(range, typed(text))).toMatchObject({ score: 1 });
      for (const text of ['0.99', '2.01'])
        expect(gradeQuestion(range, typed(text))).toMatchObject({ score: 0 });
    });

    it('gives the best weight among the matching alternatives', () => {
      const graded = question('1 + 2?{#=3:0 #Exactly. =%50%3:1 #Close. =%-50%-3 #Sign!}');
      expect(gradeQuestion(graded, typed('3'))).toEqual({
        score: 1,
        status: 'correct',
        feedback: ['Exactly.'],
      });
      expect(gradeQuestion(graded, typed('3.5'))).toEqual({
        score: 0.5,
        status: 'partial',
        feedback: ['Close.'],
      });
      expect(gradeQuestion(graded, typed('-3'))).toEqual({
        score: 0,
        status: 'incorrect',
        feedback: ['Sign!'],
      });
    });

    it('reads thousands commas, signs, exponents and surrounding spaces', () => {
      const big = question('Cartons?{#1234.5}');
      for (const text of ['1,234.5', ' 1234.5 ', '+1234.50', '1.2345e3']) {
        expect(gradeQuestion(big, typed(text))).toMatchObject({ score: 1 });
      }
    });

    it('marks garbage incorrect rather than unanswered', () => {
      const big = question('Cartons?{#1234.5}');
      for (const text of ['12,34.5', '1234.5 cartons', 'abc', '1 234.5', '0x4D2', 'Infinity', '--1']) {
        expect(gradeQuestion(big, typed(text))).toMatchObject({ score: 0, status: 'incorrect' });
      }
    });

    it('is unanswered when nothing was typed', () => {
      expect(gradeQuestion(tolerance, typed(' '))).toMatchObject({ score: 0, status: 'unanswered' });
    });
  });

  describe('matching', () => {
    const q = question(`Match each document to what it proves.
{
  =Certificate of origin -> Where the goods were made
  =Bill of lading -> The goods are on board
  =Packing list -> What is in each carton
  =-> How much the buyer paid
  ####Distractors never match.
}`);
    const rights = (...chosen: (string | null)[]): QuestionResponse => ({ type: 'matching', rights: chosen });

    it('gives full marks when every pair is matched', () => {
      expect(
        gradeQuestion(
          q,
          rights('Where the goods were made', 'The goods are on board', 'What is in each carton'),
        ),
      ).toEqual({
        score: 1,
        status: 'correct',
        feedback: ['Distractors never match.'],
      });
    });

    it('gives the fraction of pairs matched correctly', () => {
      const graded = gradeQuestion(q, rights('Where the goods were made', 'What is in each carton', null));
      expect(graded.status).toBe('partial');
      expect(graded.score).toBeCloseTo(1 / 3, 9);
    });

    it('never counts a distractor as a match', () => {
      const graded = gradeQuestion(
        q,
        rights('How much the buyer paid', 'How much the buyer paid', 'How much the buyer paid'),
      );
      expect(graded).toMatchObject({ score: 0, status: 'incorrect' });
    });

    it('counts a missing entry as wrong', () => {
      expect(gradeQuestion(q, rights('Where the goods were made')).score).toBeCloseTo(1 / 3, 9);
    });

    it('is unanswered when nothing was chosen', () => {
      expect(gradeQuestion(q, rights(null, null, null))).toMatchObject({ score: 0, status: 'unanswered' });
      expect(gradeQuestion(q, rights())).toMatchObject({ status: 'unanswered' });
    });
  });

  describe('essay', () => {
    const q = question('Describe your first export order.{####Name the buyer.}');

    it('waits for a trainer, with no score yet', () => {
      expect(gradeQuestion(q, { type: 'essay', text: 'A container of towels to Hamburg.' })).toEqual({
        score: null,
        status: 'needs_grading',
        feedback: ['Name the buyer.'],
      });
    });

    it('an empty essay is unanswered with score 0', () => {
      expect(gradeQuestion(q, { type: 'essay', text: ' \n ' })).toEqual({
        score: 0,
        status: 'unanswered',
        feedback: ['Name the buyer.'],
      });
    });
  });
});

describe(matchesWildcard.name, () => {
  it('matches * against any run of characters, anywhere', () => {
    expect(matchesWildcard('free * board', 'free on board')).toBe(true);
    expect(matchesWildcard('*board', 'board')).toBe(true);
    expect(matchesWildcard('a*b*c', 'abc')).toBe(true);
    expect(matchesWildcard('a*b*c', 'acb')).toBe(false);
    expect(matchesWildcard('abc', 'abcd')).toBe(false);
  });

  it('stays fast on patterns that would make a regular expression backtrack for ages', () => {
    const started = Date.now();
    expect(matchesWildcard(`${'a*'.repeat(30)}b`, 'a'.repeat(10_000))).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe(parseLearnerNumber.name, () => {
  it('reads the ways people write numbers and refuses the rest', () => {
    expect(parseLearnerNumber('-1,234,567.25')).toBe(-1234567.25);
    expect(parseLearnerNumber('.5')).toBe(0.5);
    expect(parseLearnerNumber('5.')).toBe(5);
    expect(parseLearnerNumber('1,23')).toBeNaN();
    expect(parseLearnerNumber('')).toBeNaN();
  });
});

describe('reference responses', () => {
  const corpus = parseGift(
    readFileSync(join(__dirname, '../../../test/fixtures/gift/every-construct.gift'), 'utf8'),
  );
  const gradable = corpus.questions.filter((q) => q.type !== 'essay');

  it.each(gradable.map((q) => [q.name ?? q.text, q] as const))(
    'correctResponse earns full marks and wrongResponse earns nothing for %s',
    (_name, q) => {
      expect(gradeQuestion(q, correctResponse(q))).toMatchObject({ score: 1, status: 'correct' });
      expect(gradeQuestion(q, wrongResponse(q)).score).toBe(0);
    },
  );

  it('gives an essay some text to grade and an empty one for nothing', () => {
    const essay = question('Write.{}');
    expect(gradeQuestion(essay, correctResponse(essay)).status).toBe('needs_grading');
    expect(gradeQuestion(essay, wrongResponse(essay))).toMatchObject({ score: 0, status: 'unanswered' });
  });

  it('replaces a wildcard with a letter in the correct short answer', () => {
    expect(correctResponse(question('Q?{=%50%half =FOB* port}'))).toEqual({
      type: 'short',
      text: 'FOBx port',
    });
  });

  it('uses the value or the start of a range for the correct numeric answer', () => {
    expect(correctResponse(question('Q?{#=%50%9 =3:0.5}'))).toEqual({ type: 'numeric', text: '3' });
    expect(correctResponse(question('Q?{#-5..-1}'))).toEqual({ type: 'numeric', text: '-5' });
  });

  it('picks only non-positive options, or none at all, for a wrong multiple response', () => {
    expect(wrongResponse(question('Q?{~%50%a ~%-50%b ~c ~%50%d}'))).toEqual({
      type: 'multiple',
      options: [1, 2],
    });
    expect(wrongResponse(question('Q?{~%50%a ~%50%b}'))).toEqual({ type: 'multiple', options: [] });
  });

  it('finds a short answer that earns nothing even behind a catch-all wildcard', () => {
    const catchAll = question('Q?{=right =%0%* #Anything else is wrong.}');
    expect(gradeQuestion(catchAll, wrongResponse(catchAll)).score).toBe(0);
    const acceptsAll = question('Q?{=*}');
    expect(wrongResponse(acceptsAll)).toEqual({ type: 'short', text: '' });
  });

  it('picks a numeric value outside every answer, negative or huge', () => {
    for (const source of ['Q?{#-5..-1}', 'Q?{#0}', 'Q?{#1e300:1e300}']) {
      const q = question(source);
      expect(gradeQuestion(q, wrongResponse(q)).score).toBe(0);
    }
  });
});

describe(validateQuestion.name, () => {
  const base = { format: 'moodle', text: 'Q?' } as const;

  it('accepts every question of the corpus', () => {
    const corpus = parseGift(
      readFileSync(join(__dirname, '../../../test/fixtures/gift/every-construct.gift'), 'utf8'),
    );
    for (const q of corpus.questions) expect(validateQuestion(q)).toEqual([]);
  });

  it('reports an empty question text, unless a missing word follows it', () => {
    expect(validateQuestion({ ...base, type: 'essay', text: ' ' })).toEqual(['question text is empty']);
    expect(
      validateQuestion({
        ...base,
        type: 'missingword',
        text: '',
        textAfter: 'is the capital.',
        options: [
          { text: 'Islamabad', weight: 100 },
          { text: 'Lahore', weight: 0 },
        ],
      }),
    ).toEqual([]);
  });

  it('reports a single choice without exactly one right answer, or with partial weights', () => {
    const option = (text: string, weight: number) => ({ text, weight });
    expect(
      validateQuestion({ ...base, type: 'single', options: [option('a', 100), option('b', 100)] }),
    ).toEqual(['a single-choice question needs exactly one right answer, found 2']);
    expect(validateQuestion({ ...base, type: 'single', options: [option('a', 0), option('b', 0)] })).toEqual([
      'a single-choice question needs exactly one right answer, found none',
    ]);
    expect(
      validateQuestion({ ...base, type: 'single', options: [option('a', 100), option('b', 50)] }),
    ).toEqual(['option 2 has weight 50%; a single-choice option is either right (100%) or wrong (0%)']);
    expect(validateQuestion({ ...base, type: 'single', options: [option('a', 100)] })).toEqual([
      'a single-choice question needs at least two options',
    ]);
  });

  it('reports multiple-response weights out of range or not adding up to 100', () => {
    expect(
      validateQuestion({
        ...base,
        type: 'multiple',
        options: [
          { text: 'a', weight: 60 },
          { text: 'b', weight: 30 },
          { text: '', weight: -10 },
        ],
      }),
    ).toEqual(['option 3 has no text', 'the positive weights add up to 90%, not 100%']);
    expect(
      validateQuestion({
        ...base,
        type: 'multiple',
        options: [
          { text: 'a', weight: 100 },
          { text: 'b', weight: NaN },
        ],
      }),
    ).toEqual(['option 2 has weight NaN%, outside -100..100']);
  });

  it('reports a true/false question without its answer', () => {
    expect(validateQuestion({ ...base, type: 'truefalse' })).toEqual([
      'a true/false question needs its answer, true or false',
    ]);
  });

  it('reports short answers with nothing accepted or nothing worth 100%', () => {
    expect(validateQuestion({ ...base, type: 'short', options: [] })).toEqual([
      'a short-answer question needs at least one accepted answer',
    ]);
    expect(validateQuestion({ ...base, type: 'short', options: [{ text: 'a', weight: 50 }] })).toEqual([
      'a short-answer question needs an answer worth 100%',
    ]);
  });

  it('reports numeric answers that are not numbers, negative tolerances and backwards ranges', () => {
    expect(
      validateQuestion({
        ...base,
        type: 'numeric',
        numeric: [
          { kind: 'tolerance', value: NaN, tolerance: -1, weight: 100 },
          { kind: 'range', min: 2, max: 1, weight: 50 },
        ],
      }),
    ).toEqual([
      'answer 1: the value is not a number',
      'answer 1: the tolerance must not be negative',
      'answer 2: the range starts at 2, above its end 1',
    ]);
  });

  it('reports matching with fewer than two real pairs, however many distractors', () => {
    expect(
      validateQuestion({
        ...base,
        type: 'matching',
        pairs: [
          { left: 'a', right: 'b' },
          { left: '', right: 'c' },
          { left: '', right: '' },
        ],
      }),
    ).toEqual(['a matching question needs at least 2 pairs, found 1', 'pair 3 has no right-hand text']);
  });

  it('reports an unknown type or format and a category with a line break', () => {
    const odd = {
      type: 'poll',
      format: 'rtf',
      text: 'Q?',
      category: 'a\nb',
    } as unknown as QuestionDefinition;
    expect(validateQuestion(odd)).toEqual([
      'unknown text format "rtf"',
      'category must fit on one line',
      'unknown question type "poll"',
    ]);
  });
});
