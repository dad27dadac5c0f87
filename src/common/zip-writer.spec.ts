import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZipWriter } from './zip-writer';

/** Python's zipfile checks every CRC and reads the names back: an independent reader. */
function pythonReads(zip: Buffer): { names: string[]; contents: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'er-zip-'));
  try {
    const path = join(dir, 'test.zip');
    writeFileSync(path, zip);
    const script = [
      'import json, sys, zipfile',
      'z = zipfile.ZipFile(sys.argv[1])',
      'assert z.testzip() is None',
      'print(json.dumps({"names": z.namelist(), "contents": [z.read(n).decode("utf-8") for n in z.namelist()]}))',
    ].join('\n');
    return JSON.parse(execFileSync('python3', ['-c', script, path], { encoding: 'utf8' }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe(ZipWriter.name, () => {
  it('writes stored and deflated files that another ZIP reader accepts, CRCs and UTF-8 names included', () => {
    const zip = new ZipWriter();
    const modified = new Date('2026-05-12T10:20:30Z');
    const chunks = [
      ...zip.add('ER-2026-000001.pdf', Buffer.from('%PDF-1.7 stored as is'), modified),
      ...zip.add('سرٹیفکیٹ/register.csv', Buffer.from('serial,name\r\nER-2026-000001,عائشہ خان\r\n'.repeat(50)), modified, { compress: true }),
      ...zip.add('empty.txt', Buffer.alloc(0), modified),
      zip.finish(),
    ];
    const read = pythonReads(Buffer.concat(chunks));
    expect(read.names).toEqual(['ER-2026-000001.pdf', 'سرٹیفکیٹ/register.csv', 'empty.txt']);
    expect(read.contents[0]).toBe('%PDF-1.7 stored as is');
    expect(read.contents[1]).toContain('عائشہ خان');
    expect(read.contents[2]).toBe('');
  });

  it('writes an empty archive as just the end record', () => {
    const end = new ZipWriter().finish();
    expect(end).toHaveLength(22);
    expect(pythonReads(end).names).toEqual([]);
  });
});
