import { readFileSync } from 'fs';
import { join } from 'path';
import { parseGift, type GiftParseResult, type ParsedGiftQuestion } from './gift-parser';

const FIXTURES = join(__dirname, '../../../test/fixtures/gift');

function parseFixture(name: string): GiftParseResult {
  return parseGift(readFileSync(join(FIXTURES, name), 'utf8'));
}

function onlyQuestion(source: string): ParsedGiftQuestion {
  const { questions, errors } = parseGift(source);
  expect(errors).toEqual([]);
  expect(questions).toHaveLength(1);
  return questions[0];
}

function errorsOf(source: string): GiftParseResult['errors'] {
  return parseGift(source).errors;
}

describe(parseGift.name, () => {
  describe('the every-construct corpus', () => {
    const { questions, errors } = parseFixture('every-construct.gift');
    const named = (name: string): ParsedGiftQuestion | undefined => questions.find((q) => q.name === name);

    it('reads every question without a single error', () => {
      expect(errors).toEqual([]);
      expect(questions).toHaveLength(22);
    });

    it('gives each question the line it starts on, skipping the comments in front of and inside it', () => {
      expect(questions.map((q) => q.line)).toEqual([
        7, 15, 23, 26, 28, 30, 32, 34, 41, 43, 45, 57, 59, 61, 63, 65, 72, 74, 76, 78, 85, 91,
      ]);
    });

    it('applies each $CATEGORY to the questions after it until the next one', () => {
      expect(named('single-cif')?.category).toBe('$course$/Export basics');
      expect(named('matching')?.category).toBe('$course$/Export basics');
      expect(named('numeric-tolerance')?.category).toBe('$course$/Numbers');
      expect(questions[questions.length - 1].category).toBe('$course$/Numbers');
    });

    it('reads a single-choice question with per-answer and general feedback', () => {
      expect(named('single-cif')).toEqual({
        type: 'single',
        name: 'single-cif',
        category: '$course$/Export basics',
        format: 'moodle',
        text: 'Who buys the marine insurance under CIF Hamburg?',
        options: [
          {
            text: 'The seller',
            weight: 100,
            feedback: 'Right. Under CIF the seller insures to the named port.',
          },
          { text: 'The buyer', weight: 0, feedback: 'Risk passes at loading, but the seller still insures.' },
          { text: 'Nobody', weight: 0 },
        ],
        generalFeedback: 'CIF and CIP oblige the seller to insure.',
        line: 7,
      });
    });

    it('reads a multiple-response question with a negative weight and its text format', () => {
      expect(named('multiple-lc')).toMatchObject({
        type: 'multiple',
        format: 'html',
        text: 'Which documents does a <b>letter of credit</b> usually call for?',
        options: [
          { text: 'Commercial invoice', weight: 50, feedback: 'Yes.' },
          { text: 'Bill of lading', weight: 50, feedback: 'Yes.' },
          { text: 'A photo of the factory', weight: -100, feedback: 'No, never.' },
        ],
      });
    });

    it('accepts decimal weights whose thirds add up to 100 within a hundredth', () => {
      expect(named('ports')?.options?.map((option) => option.weight)).toEqual([
        33.33333, 33.33333, 33.33333, -50, -50,
      ]);
    });

    it('stores true/false feedback by the answer the learner gave, from Moodle’s wrong-then-right order', () => {
      expect(named('tf-true')).toMatchObject({ type: 'truefalse', answer: true });
      expect(named('tf-f')).toMatchObject({ type: 'truefalse', answer: false });
      expect(named('tf-feedback')).toMatchObject({
        answer: false,
        trueFeedback: 'No: it fixes costs and risk.',
        falseFeedback: 'Right: the contract sets the price.',
        generalFeedback: 'Incoterms cover costs, risks and tasks.',
      });
      const onlyWrongFeedback = named('tf-words');
      expect(onlyWrongFeedback).toMatchObject({
        format: 'plain',
        answer: true,
        falseFeedback: 'Check the ICC website.',
      });
      expect(onlyWrongFeedback).not.toHaveProperty('trueFeedback');
    });

    it('reads a short answer with weights, feedback and a wildcard kept in the text', () => {
      expect(named('short-fob')?.options).toEqual([
        { text: 'Free on board', weight: 100 },
        { text: 'free on boat', weight: 50, feedback: 'Close: it is "board".' },
        { text: 'FOB*', weight: 0, feedback: 'Spell it out.' },
      ]);
    });

    it('makes a choice block with text after it a missing-word question', () => {
      expect(named('missing-word')).toMatchObject({
        type: 'missingword',
        text: 'Exporters register with the',
        textAfter: 'for a sales tax number.',
        options: [
          { text: 'FBR', weight: 100 },
          { text: 'SECP', weight: 0 },
          { text: 'SBP', weight: 0, feedback: 'The SBP is the central bank.' },
        ],
      });
    });

    it('keeps a short-answer block with text after it a short answer, with the text after', () => {
      expect(named('short-inline')).toMatchObject({
        type: 'short',
        text: 'The ISO country code of Pakistan is',
        textAfter: 'on every shipping form.',
        options: [
          { text: 'PK', weight: 100 },
          { text: 'PAK', weight: 50 },
        ],
      });
    });

    it('reads matching pairs and both spellings of a distractor', () => {
      expect(named('matching')).toMatchObject({
        type: 'matching',
        pairs: [
          { left: 'Certificate of origin', right: 'Where the goods were made' },
          { left: 'Bill of lading', right: 'The goods are on board' },
          { left: 'Packing list', right: 'What is in each carton' },
          { left: '', right: 'How much the buyer paid' },
          { left: '', right: "The exporter's bank balance" },
        ],
        generalFeedback: 'Distractors have an empty left side.',
      });
    });

    it('reads numeric tolerances, ranges, bare and negative values', () => {
      expect(named('numeric-tolerance')?.numeric).toEqual([
        { kind: 'tolerance', value: 25, tolerance: 5, weight: 100 },
      ]);
      expect(named('numeric-exact')?.numeric).toEqual([
        { kind: 'tolerance', value: 3, tolerance: 0.5, weight: 100 },
      ]);
      expect(named('numeric-range')?.numeric).toEqual([{ kind: 'range', min: 1, max: 2, weight: 100 }]);
      expect(questions[16]).toMatchObject({
        text: 'What is the lowest temperature a reefer container holds, in °C?',
        numeric: [{ kind: 'tolerance', value: -35, tolerance: 0, weight: 100 }],
      });
      expect(questions[16]).not.toHaveProperty('name');
    });

    it('reads graded numeric alternatives with their feedback', () => {
      expect(named('numeric-graded')?.numeric).toEqual([
        { kind: 'tolerance', value: 3, tolerance: 0, weight: 100 },
        { kind: 'tolerance', value: 3, tolerance: 1, weight: 50 },
      ]);
      expect(named('numeric-feedback')).toMatchObject({
        numeric: [
          { kind: 'tolerance', value: 1936, tolerance: 0, weight: 100, feedback: 'Exactly.' },
          { kind: 'tolerance', value: 1936, tolerance: 2, weight: 50, feedback: 'Close.' },
        ],
        generalFeedback: 'The ICC published them in 1936.',
      });
    });

    it('reads an essay, with or without general feedback', () => {
      expect(named('essay')).toEqual({
        type: 'essay',
        name: 'essay',
        category: '$course$/Numbers',
        format: 'moodle',
        text: 'Describe your first export order.',
        line: 74,
      });
      expect(named('essay-feedback')).toMatchObject({
        type: 'essay',
        format: 'markdown',
        text: 'Describe **your** buyer.',
        generalFeedback: "A good answer names the buyer's country.",
      });
    });

    it('resolves every escape in names, texts, answers and feedback, and leaves a mid-line // alone', () => {
      expect(named('escapes: all of them')).toMatchObject({
        type: 'single',
        text: 'Braces { }, a tilde ~, 1 = 1, a #hash and a colon: see http://example.com/gift // not a comment.\nSecond line.',
        options: [
          { text: '{ and }', weight: 100, feedback: 'Right: braces.\nBoth of them.' },
          { text: '= and ~', weight: 0 },
          { text: 'a \\ backslash', weight: 0 },
        ],
      });
    });

    it('joins a question text written over several lines', () => {
      expect(named('multi-line')?.text).toBe(
        'A buyer in Lahore\nasks for an EXW price.\nWho loads the truck?',
      );
    });

    it('reads an explicit [moodle] tag and leaves the name out when there is none', () => {
      const last = questions[questions.length - 1];
      expect(last).toMatchObject({ format: 'moodle', text: 'Unnamed question in the default format?' });
      expect(last).not.toHaveProperty('name');
    });
  });

  describe('layout', () => {
    it('reads nothing from an empty file or one with only comments', () => {
      expect(parseGift('')).toEqual({ questions: [], errors: [] });
      expect(parseGift('// nothing\n   // here\n\n')).toEqual({ questions: [], errors: [] });
    });

    it('copes with Windows line endings and a byte-order mark', () => {
      const { questions, errors } = parseGift('\uFEFF// quiz\r\n\r\nFirst?{T}\r\n\r\nSecond\r\nline?{F}\r\n');
      expect(errors).toEqual([]);
      expect(questions.map((q) => [q.line, q.text])).toEqual([
        [3, 'First?'],
        [5, 'Second\nline?'],
      ]);
    });

    it('treats a line of spaces as the blank line between questions', () => {
      expect(parseGift('One?{T}\n   \t\nTwo?{F}').questions).toHaveLength(2);
    });

    it('starts a question on its first line that is not a comment', () => {
      expect(onlyQuestion('\n// about the next one\n::q:: Text?{T}').line).toBe(3);
    });

    it('lets an empty $CATEGORY take the following questions out of any category', () => {
      const { questions } = parseGift('$CATEGORY: exports\n\nA?{T}\n\n$CATEGORY:\n\nB?{T}');
      expect(questions[0].category).toBe('exports');
      expect(questions[1]).not.toHaveProperty('category');
    });

    it('ends the current question at a $CATEGORY line', () => {
      const { questions } = parseGift('A?{T}\n$CATEGORY: later\nB?{T}');
      expect(questions.map((q) => [q.text, q.category])).toEqual([
        ['A?', undefined],
        ['B?', 'later'],
      ]);
    });

    it('reads an indented answer block spread over several lines', () => {
      expect(onlyQuestion('Pick one\n  {\n    =yes\n    ~no\n  }').options).toHaveLength(2);
    });
  });

  describe('escapes', () => {
    it('turns \\n into a line break and \\\\ into one backslash', () => {
      expect(onlyQuestion('C\\:\\\\new\\nline?{T}').text).toBe('C:\\new\nline?');
    });

    it('keeps an unknown escape as written, as Moodle does', () => {
      expect(onlyQuestion('A \\q b?{T}').text).toBe('A \\q b?');
    });

    it('reads \\% at the start of an answer as text, not a weight', () => {
      expect(onlyQuestion('Discount?{=\\%50 off ~none}').options?.[0]).toEqual({
        text: '%50 off',
        weight: 100,
      });
    });

    it('reads \\-> as text rather than as a matching arrow', () => {
      expect(onlyQuestion('Arrow?{=a \\-> b}')).toMatchObject({
        type: 'short',
        options: [{ text: 'a -> b', weight: 100 }],
      });
    });

    it('does not let an escaped colon close a name', () => {
      expect(onlyQuestion('::ratio 1\\:2:: Ratio?{T}').name).toBe('ratio 1:2');
    });
  });

  describe('answer blocks', () => {
    it('accepts true and false in any case, with spaces around', () => {
      expect(onlyQuestion('Q?{ true }').answer).toBe(true);
      expect(onlyQuestion('Q?{f}').answer).toBe(false);
    });

    it('reads {####…} as an essay with general feedback, as Moodle does', () => {
      expect(onlyQuestion('Write.{####Mention the buyer.}')).toMatchObject({
        type: 'essay',
        generalFeedback: 'Mention the buyer.',
      });
    });

    it('reads a tilde block as choices even when an answer contains an arrow', () => {
      expect(onlyQuestion('Q?{=a->b ~c}')).toMatchObject({ type: 'single' });
    });

    it('reads a weighted = in a choice block as a multiple-response option', () => {
      expect(onlyQuestion('Q?{=%60%a ~%40%b ~c}').options).toEqual([
        { text: 'a', weight: 60 },
        { text: 'b', weight: 40 },
        { text: 'c', weight: 0 },
      ]);
    });

    it('counts an unweighted = as 100% in a multiple-response block', () => {
      expect(onlyQuestion('Q?{=a ~%-100%b ~%0%c}')).toMatchObject({
        type: 'multiple',
        options: [
          { text: 'a', weight: 100 },
          { text: 'b', weight: -100 },
          { text: 'c', weight: 0 },
        ],
      });
    });

    it('takes the first # as the start of feedback and keeps later ones in it', () => {
      expect(onlyQuestion('Q?{=a #see #2 ~b}').options?.[0]).toEqual({
        text: 'a',
        weight: 100,
        feedback: 'see #2',
      });
    });

    it('reads negative ranges and exponents in numeric answers', () => {
      expect(onlyQuestion('Q?{#-5..-1}').numeric).toEqual([{ kind: 'range', min: -5, max: -1, weight: 100 }]);
      expect(onlyQuestion('Q?{#1.5e3:2.5e1#About right.}').numeric).toEqual([
        { kind: 'tolerance', value: 1500, tolerance: 25, weight: 100, feedback: 'About right.' },
      ]);
    });

    it('lets a missing-word question start with its blank', () => {
      expect(onlyQuestion('{=Karachi ~Quetta} is the largest city.')).toMatchObject({
        type: 'missingword',
        text: '',
        textAfter: 'is the largest city.',
      });
    });
  });

  describe('malformed files', () => {
    it('reports every unbalanced brace on its own line and still reads the good question', () => {
      const { questions, errors } = parseFixture('unbalanced-braces.gift');
      expect(errors).toEqual([
        { line: 4, message: expect.stringContaining('never closed') },
        { line: 10, message: expect.stringContaining("'}' has no matching '{'") },
        { line: 12, message: expect.stringContaining("'{' inside an answer block") },
        { line: 14, message: expect.stringContaining('second one') },
        { line: 16, message: expect.stringContaining('never closed') },
      ]);
      expect(questions.map((q) => q.name)).toEqual(['fine']);
    });

    it('reports answer syntax it cannot read, on the line of the offending text', () => {
      const { questions, errors } = parseFixture('unknown-type.gift');
      expect(errors).toEqual([
        { line: 3, message: expect.stringContaining('unknown answer syntax "Islamabad"') },
        { line: 5, message: expect.stringContaining('unknown answer syntax "T F"') },
        { line: 9, message: expect.stringContaining('unknown answer syntax "pick one"') },
        { line: 17, message: expect.stringContaining('unknown answer syntax "Lahore"') },
        { line: 21, message: expect.stringContaining('at most two feedbacks') },
        { line: 23, message: expect.stringContaining('name') },
      ]);
      expect(questions.map((q) => q.name)).toEqual(['fine']);
    });

    it('rejects a description, which has no answer block', () => {
      const { questions, errors } = parseFixture('no-answer-block.gift');
      expect(errors).toEqual([{ line: 3, message: expect.stringContaining('question has no answer block') }]);
      expect(questions.map((q) => q.name)).toEqual(['fine']);
    });

    it('reports weights that do not add up to 100, are out of range or are not numbers', () => {
      const { questions, errors } = parseFixture('weights-not-summing.gift');
      expect(errors).toEqual([
        { line: 4, message: expect.stringContaining('add up to 90%') },
        { line: 10, message: expect.stringContaining('add up to 120%') },
        { line: 14, message: expect.stringContaining('150%, outside -100..100') },
        { line: 16, message: expect.stringContaining('-150%, outside -100..100') },
        { line: 19, message: expect.stringContaining('"%half%" is not a weight') },
        { line: 23, message: expect.stringContaining('add up to 99.9%') },
      ]);
      expect(questions.map((q) => q.name)).toEqual(['thirds-ok']);
    });

    it('reports a single choice without exactly one right answer at the surplus answer or the block', () => {
      const { questions, errors } = parseFixture('single-two-right.gift');
      expect(errors).toEqual([
        { line: 7, message: expect.stringContaining('exactly one right answer, found 2') },
        { line: 10, message: expect.stringContaining('exactly one right answer, found none') },
        {
          line: 12,
          message: expect.stringContaining('missing-word question needs exactly one right answer'),
        },
      ]);
      expect(questions.map((q) => q.name)).toEqual(['fine']);
    });

    it('reports matching with fewer than two real pairs, feedback in a pair and a pair with no right side', () => {
      const { questions, errors } = parseFixture('matching-too-few-pairs.gift');
      expect(errors).toEqual([
        { line: 4, message: expect.stringContaining('at least 2 pairs, found 1') },
        { line: 12, message: expect.stringContaining('takes no feedback') },
        { line: 19, message: expect.stringContaining('pair 2 has no right-hand text') },
      ]);
      expect(questions).toEqual([]);
    });

    it('reports numeric answers that are not numbers, on the line of the alternative', () => {
      const { questions, errors } = parseFixture('numeric-not-a-number.gift');
      expect(errors).toEqual([
        { line: 3, message: '"twenty" is not a number' },
        { line: 5, message: '"five" is not a number' },
        { line: 7, message: '"lots" is not a number' },
        { line: 12, message: '"twenty" is not a number' },
        { line: 15, message: expect.stringContaining('needs a number') },
        { line: 17, message: expect.stringContaining('range starts at 30, above its end 10') },
        { line: 19, message: '"1,000" is not a number' },
      ]);
      expect(questions).toEqual([]);
    });

    it('reports empty question and answer texts', () => {
      const { questions, errors } = parseFixture('empty-texts.gift');
      expect(errors).toEqual([
        { line: 3, message: 'question text is empty' },
        { line: 8, message: 'option 2 has no text' },
        { line: 12, message: 'answer 1 has no text' },
      ]);
      expect(questions).toEqual([]);
    });

    it('reports a short answer and a numeric question with nothing worth full marks', () => {
      expect(errorsOf('Q?{=%50%half}')).toEqual([
        { line: 1, message: expect.stringContaining('worth 100%') },
      ]);
      expect(errorsOf('Q?\n{#\n=%50%3:1\n}')).toEqual([
        { line: 2, message: expect.stringContaining('worth 100%') },
      ]);
    });

    it('reports a multiple-response block with a single option', () => {
      expect(errorsOf('Q?{~%100%only}')).toEqual([
        { line: 1, message: expect.stringContaining('at least two options') },
      ]);
    });

    it('reports a weight on a missing-word option, which is either right or wrong', () => {
      expect(errorsOf('The {=a ~%50%b} word.')).toEqual([
        { line: 1, message: expect.stringContaining('option 2 has weight 50%') },
      ]);
    });
  });
});
