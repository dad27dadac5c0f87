import { parseGift } from '../gift/gift-parser';
import type { QuestionDefinition } from '../question.types';
import { isResponseError, MAX_RESPONSE_TEXT_LENGTH, parseResponse } from './parse-response';

function question(source: string): QuestionDefinition {
  const { questions, errors } = parseGift(source);
  expect(errors).toEqual([]);
  return questions[0];
}

function errorOf(q: QuestionDefinition, raw: unknown): string {
  const parsed = parseResponse(q, raw);
  if (!isResponseError(parsed)) throw new Error(`expected an error, got ${JSON.stringify(parsed)}`);
  return parsed.error;
}

describe(parseResponse.name, () => {
  describe('single choice and missing word', () => {
    const single = question('Q?{=a ~b ~c ~d}');
    const missingWord = question('The {=a ~b} word.');

    it('reads the option number a radio button sends, or a JSON number', () => {
      expect(parseResponse(single, '2')).toEqual({ type: 'single', option: 2 });
      expect(parseResponse(single, ' 0 ')).toEqual({ type: 'single', option: 0 });
      expect(parseResponse(single, 3)).toEqual({ type: 'single', option: 3 });
      expect(parseResponse(missingWord, '1')).toEqual({ type: 'missingword', option: 1 });
    });

    it('reads a missing or empty field as no choice', () => {
      for (const raw of [undefined, null, ''])
        expect(parseResponse(single, raw)).toEqual({ type: 'single', option: null });
    });

    it('rejects option numbers out of range', () => {
      expect(errorOf(single, '4')).toBe('option 4 does not exist; this question has options 0 to 3');
      expect(errorOf(single, -1)).toContain('does not exist');
    });

    it('rejects what is not a whole option number', () => {
      for (const raw of ['1.5', '-1', 'abc', '1e2', 1.5, true, { option: 1 }]) {
        expect(errorOf(single, raw)).toContain('is not an option number');
      }
    });

    it('rejects a list where one choice is expected', () => {
      expect(errorOf(single, ['0', '1'])).toBe('expected one option, got a list');
    });
  });

  describe('multiple response', () => {
    const q = question('Q?{~%50%a ~%50%b ~c ~d}');

    it('reads the list of ticked boxes, in the question’s order', () => {
      expect(parseResponse(q, ['3', '0'])).toEqual({ type: 'multiple', options: [0, 3] });
    });

    it('reads one ticked box, which a form sends as a plain string', () => {
      expect(parseResponse(q, '1')).toEqual({ type: 'multiple', options: [1] });
    });

    it('reads nothing ticked, including an empty hidden sentinel field', () => {
      for (const raw of [undefined, '', [], ['']])
        expect(parseResponse(q, raw)).toEqual({ type: 'multiple', options: [] });
      expect(parseResponse(q, ['', '2'])).toEqual({ type: 'multiple', options: [2] });
    });

    it('rejects an option out of range, a non-number or the same option twice', () => {
      expect(errorOf(q, ['0', '4'])).toContain('option 4 does not exist');
      expect(errorOf(q, ['0', 'x'])).toBe('"x" is not an option number');
      expect(errorOf(q, ['1', '1'])).toBe('option 1 was chosen twice');
      expect(errorOf(q, { 0: '1' })).toContain('is not an option number');
    });
  });

  describe('true/false', () => {
    const q = question('Q?{T}');

    it('reads "true" and "false" in any case, and booleans', () => {
      expect(parseResponse(q, 'true')).toEqual({ type: 'truefalse', value: true });
      expect(parseResponse(q, 'FALSE')).toEqual({ type: 'truefalse', value: false });
      expect(parseResponse(q, false)).toEqual({ type: 'truefalse', value: false });
    });

    it('reads a missing field as no answer', () => {
      expect(parseResponse(q, undefined)).toEqual({ type: 'truefalse', value: null });
    });

    it('rejects anything else', () => {
      expect(errorOf(q, 'yes')).toBe('"yes" is neither "true" nor "false"');
      expect(errorOf(q, ['true'])).toContain('neither');
    });
  });

  describe('typed answers', () => {
    const short = question('Q?{=Free on board}');
    const numeric = question('Q?{#3}');
    const essay = question('Q?{}');

    it('keeps the text as typed; the grader does the normalising', () => {
      expect(parseResponse(short, '  Free on Board ')).toEqual({ type: 'short', text: '  Free on Board ' });
      expect(parseResponse(numeric, '1,234.5')).toEqual({ type: 'numeric', text: '1,234.5' });
      expect(parseResponse(essay, 'Line one\nline two')).toEqual({
        type: 'essay',
        text: 'Line one\nline two',
      });
    });

    it('reads a missing field as an empty text', () => {
      expect(parseResponse(essay, undefined)).toEqual({ type: 'essay', text: '' });
    });

    it('accepts a JSON number for a numeric question only', () => {
      expect(parseResponse(numeric, 3.5)).toEqual({ type: 'numeric', text: '3.5' });
      expect(errorOf(short, 3.5)).toBe('expected a text answer, got number');
    });

    it('rejects a list where one text is expected', () => {
      expect(errorOf(short, ['a', 'b'])).toBe('expected a text answer, got a list');
    });

    it('accepts 10,000 characters and rejects one more', () => {
      const longest = 'x'.repeat(MAX_RESPONSE_TEXT_LENGTH);
      expect(parseResponse(essay, longest)).toEqual({ type: 'essay', text: longest });
      expect(errorOf(essay, `${longest}x`)).toBe('the answer is 10001 characters long; the limit is 10000');
    });
  });

  describe('matching', () => {
    const q = question('Match.{=Karachi -> Sindh =Lahore -> Punjab =-> Balochistan}');

    it('reads one chosen right-hand text per real pair, empty ones as not chosen', () => {
      expect(parseResponse(q, ['Punjab', ''])).toEqual({ type: 'matching', rights: ['Punjab', null] });
      expect(parseResponse(q, ['Balochistan', 'Punjab'])).toEqual({
        type: 'matching',
        rights: ['Balochistan', 'Punjab'],
      });
    });

    it('reads a missing field as nothing chosen', () => {
      expect(parseResponse(q, undefined)).toEqual({ type: 'matching', rights: [null, null] });
    });

    it('rejects the wrong number of entries', () => {
      expect(errorOf(q, ['Sindh'])).toBe('expected 2 matches, got 1');
      expect(errorOf(q, 'Sindh')).toBe('expected 2 matches, got 1');
      expect(errorOf(q, ['Sindh', 'Punjab', 'Sindh'])).toBe('expected 2 matches, got 3');
    });

    it('rejects a text that is not one of the choices, or an entry that is not text', () => {
      expect(errorOf(q, ['Sindh', 'Kashmir'])).toBe('"Kashmir" is not one of the choices');
      expect(errorOf(q, ['Sindh', ['Punjab']])).toBe('expected a text for each match, got a list');
    });
  });

  it('refuses a question of an unknown type', () => {
    const odd = { type: 'poll', format: 'moodle', text: 'Q?' } as unknown as QuestionDefinition;
    expect(errorOf(odd, '1')).toBe('cannot read an answer to a question of type "poll"');
  });
});
