import { csvCell, csvLine } from './csv';

describe('csvLine', () => {
  it('quotes commas, quotes and line breaks, and ends lines with CRLF', () => {
    expect(csvLine(['plain', 'a,b', 'say "hi"', 'two\nlines', null, 3])).toBe('plain,"a,b","say ""hi""","two\nlines",,3\r\n');
  });

  it('defuses cells a spreadsheet would run as a formula', () => {
    expect(csvCell('=HYPERLINK("http://evil")')).toBe(`"'=HYPERLINK(""http://evil"")"`);
    expect(csvCell('+92 300 1234567')).toBe("'+92 300 1234567");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
  });

  it('writes dates as ISO 8601 and keeps Urdu text as it is', () => {
    expect(csvCell(new Date('2026-05-12T10:00:00Z'))).toBe('2026-05-12T10:00:00.000Z');
    expect(csvCell('عائشہ خان')).toBe('عائشہ خان');
  });
});
