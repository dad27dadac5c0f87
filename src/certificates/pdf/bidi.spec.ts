import { paragraphDirection, visualRuns } from './bidi';

const naskhNeutrals = (char: string) => [' ', ':', '.', ','].includes(char);
const layout = (text: string) => visualRuns(text, naskhNeutrals).map((run) => ({ text: run.text, dir: run.direction, urdu: run.arabicFont }));

describe('visualRuns', () => {
  it('leaves a Latin name as one left-to-right run in the Latin font', () => {
    expect(layout('Ayesha Khan')).toEqual([{ text: 'Ayesha Khan', dir: 'ltr', urdu: false }]);
  });

  it('gives an Urdu name to the shaper whole, in logical order, so its words keep their order', () => {
    expect(paragraphDirection('عائشہ خان')).toBe('rtl');
    expect(layout('عائشہ خان')).toEqual([{ text: 'عائشہ خان', dir: 'rtl', urdu: true }]);
  });

  it('puts a number inside an Urdu title to the left of the words before it, digits left to right', () => {
    // Logical: "first 30 days" in Urdu. Visually, right to left: پہلے, 30, دن.
    expect(layout('پہلے 30 دن')).toEqual([
      { text: ' دن', dir: 'rtl', urdu: true },
      { text: '30', dir: 'ltr', urdu: false },
      { text: 'پہلے ', dir: 'rtl', urdu: true },
    ]);
  });

  it('keeps a Latin brand inside an Urdu title in one run, brackets mirrored and set in the Latin font', () => {
    const runs = layout('علی بابا (Alibaba.com)');
    expect(runs.map((r) => r.text)).toEqual(['(', 'Alibaba.com', ')', 'علی بابا ']);
    expect(runs.map((r) => r.urdu)).toEqual([false, false, false, true]);
  });

  it('orders an Urdu word inside an English line after the words before it', () => {
    expect(layout('Awarded to عائشہ today')).toEqual([
      { text: 'Awarded to ', dir: 'ltr', urdu: false },
      { text: 'عائشہ', dir: 'rtl', urdu: true },
      { text: ' today', dir: 'ltr', urdu: false },
    ]);
  });

  it('pre-reverses Arabic-Indic digits, which the shaper would otherwise lay out right to left', () => {
    expect(layout('سال ۲۰۲۶')).toEqual([
      { text: '۶۲۰۲', dir: 'ltr', urdu: true },
      { text: 'سال ', dir: 'rtl', urdu: true },
    ]);
  });

  it('returns nothing for an empty line', () => {
    expect(visualRuns('')).toEqual([]);
  });
});
