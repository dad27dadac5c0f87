import { CsvSyntaxError, readCsv } from './csv-reader';

describe(readCsv.name, () => {
  it('reads quoted cells with commas, quotes and line breaks, and numbers records by their first line', () => {
    const records = readCsv('\uFEFFname,email\r\n"Khan, Ayesha",a@x.pk\r\n"Said ""hi""\nthere",b@x.pk\r\n\r\nlast,c@x.pk');
    expect(records).toEqual([
      { line: 1, cells: ['name', 'email'] },
      { line: 2, cells: ['Khan, Ayesha', 'a@x.pk'] },
      { line: 3, cells: ['Said "hi"\nthere', 'b@x.pk'] },
      { line: 6, cells: ['last', 'c@x.pk'] },
    ]);
  });

  it('takes the separator from the header, as Excel writes ";" in many locales', () => {
    expect(readCsv('name;email\nAli;ali@x.pk\n')).toEqual([
      { line: 1, cells: ['name', 'email'] },
      { line: 2, cells: ['Ali', 'ali@x.pk'] },
    ]);
  });

  it('skips lines that are empty or only separators', () => {
    expect(readCsv('name,email\n,\n\nAli,a@x.pk').map((r) => r.line)).toEqual([1, 4]);
  });

  it('reports a quote that never closes with the line it opened on', () => {
    let caught: unknown;
    try {
      readCsv('name,email\nAli,a@x.pk\n"Bad,b@x.pk\nmore');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CsvSyntaxError);
    expect((caught as CsvSyntaxError).line).toBe(3);
  });
});
