import { firstNonUtf8Line } from './utf8';

describe('firstNonUtf8Line', () => {
  it('accepts UTF-8, Urdu and a literal replacement character included', () => {
    expect(firstNonUtf8Line(Buffer.from('title: Café\nعنوان: برآمد\nmark: \uFFFD\n', 'utf8'))).toBeNull();
  });

  it('gives the line of the first Latin-1 byte', () => {
    expect(firstNonUtf8Line(Buffer.from('one\ntwo\nCaf\xe9\nd\xe9j\xe0\n', 'latin1'))).toBe(3);
  });

  it('counts lines before a sequence cut short or malformed, even after a literal U+FFFD', () => {
    expect(
      firstNonUtf8Line(Buffer.concat([Buffer.from('\uFFFD\n\n', 'utf8'), Buffer.from([0xef, 0xbf, 0x0a])])),
    ).toBe(3);
    expect(firstNonUtf8Line(Buffer.from([0x61, 0x0a, 0xc3]))).toBe(2);
    expect(firstNonUtf8Line(Buffer.from([0xed, 0xa0, 0x80, 0x0a]))).toBe(1);
  });
});
