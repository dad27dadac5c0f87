import { textDirection } from './text-direction';

describe('textDirection', () => {
  it('is right to left for an Urdu title, even one that starts with a Latin name', () => {
    expect(textDirection('Alibaba.com پر فروخت: آپ کے پہلے 30 دن')).toBe('rtl');
    expect(textDirection('برآمدی دستاویزات')).toBe('rtl');
  });

  it('is left to right for an English title, digits and punctuation included', () => {
    expect(textDirection('Selling on Alibaba.com: your first 30 days')).toBe('ltr');
    expect(textDirection('')).toBe('ltr');
  });
});
