import { validateQuestion } from '../quizzes/grading/grade-question';
import {
  QUESTION_TYPES,
  questionFormFromBody,
  questionFormFromDefinition,
  questionFromForm,
  withBlankRows,
} from './question-form';

const bodies: Record<string, Record<string, unknown>> = {
  single: {
    text: 'Who insures under CIF?',
    options: [{ text: 'Seller' }, { text: 'Buyer', feedback: 'No.' }, { text: '' }],
    correct: '0',
  },
  multiple: {
    text: 'Pick two',
    options: [
      { text: 'A', weight: '50' },
      { text: 'B', weight: '50' },
      { text: 'C', weight: '-100' },
    ],
  },
  truefalse: { text: 'FOB ends on board.', answer: 'true', trueFeedback: 'Right.' },
  short: { text: 'Currency?', options: [{ text: 'EUR' }, { text: 'euro*', weight: '50' }] },
  numeric: {
    text: 'Max title length?',
    numeric: [
      { value: '128', tolerance: '2' },
      { min: '100', max: '120', weight: '50' },
    ],
  },
  matching: {
    text: 'Match',
    pairs: [
      { left: 'MOQ', right: 'Minimum order' },
      { left: 'FOB', right: 'Free on board' },
      { left: '', right: 'Distractor' },
    ],
  },
  missingword: {
    text: 'Quote in the',
    textAfter: 'of the buyer.',
    options: { 0: { text: 'currency' }, 1: { text: 'colour' } },
    correct: '0',
  },
  essay: { text: 'Describe your product.' },
};

describe(questionFromForm.name, () => {
  it.each(QUESTION_TYPES.map((type) => [type]))(
    'builds a valid %s question from its form, and shows it again the same way',
    (type) => {
      const question = questionFromForm(questionFormFromBody(bodies[type], type));
      expect(validateQuestion(question)).toEqual([]);
      expect(questionFromForm(questionFormFromDefinition(question))).toEqual(question);
    },
  );

  it('reads weights, ranges and distractors as typed', () => {
    const numeric = questionFromForm(questionFormFromBody(bodies.numeric, 'numeric'));
    expect(numeric.numeric).toEqual([
      { kind: 'tolerance', value: 128, tolerance: 2, weight: 100 },
      { kind: 'range', min: 100, max: 120, weight: 50 },
    ]);
    expect(questionFromForm(questionFormFromBody(bodies.matching, 'matching')).pairs).toHaveLength(3);
    expect(questionFromForm(questionFormFromBody(bodies.single, 'single')).options).toEqual([
      { text: 'Seller', weight: 100 },
      { text: 'Buyer', weight: 0, feedback: 'No.' },
    ]);
  });

  it('leaves a wrong question for the validator to explain', () => {
    const question = questionFromForm(
      questionFormFromBody({ text: 'Pick', options: [{ text: 'A' }, { text: 'B' }] }, 'single'),
    );
    expect(validateQuestion(question)).toEqual([
      'a single-choice question needs exactly one right answer, found none',
    ]);
    expect(
      questionFromForm(questionFormFromBody({ text: 'N', numeric: [{ value: 'ten' }] }, 'numeric'))
        .numeric?.[0],
    ).toMatchObject({ value: NaN });
  });

  it('gives a form blank rows to type into', () => {
    expect(withBlankRows(questionFormFromBody({}, 'single'), 0).options).toHaveLength(4);
    expect(withBlankRows(questionFormFromBody(bodies.matching, 'matching'), 3).pairs).toHaveLength(7);
    expect(withBlankRows(questionFormFromBody({}, 'essay'), 3).options).toHaveLength(0);
  });
});
