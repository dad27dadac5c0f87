import { parseMultipart } from './multipart-form';

function body(boundary: string, parts: string[]): Buffer {
  return Buffer.from(parts.map((part) => `--${boundary}\r\n${part}\r\n`).join('') + `--${boundary}--\r\n`, 'utf8');
}

describe('parseMultipart', () => {
  it('reads text fields and an uploaded file as text', () => {
    const fields = parseMultipart(
      body('XyZ', [
        'Content-Disposition: form-data; name="_csrf"\r\n\r\ntoken-123',
        'Content-Disposition: form-data; name="credential"\r\n\r\n',
        'Content-Disposition: form-data; name="file"; filename="credential.json"\r\nContent-Type: application/json\r\n\r\n{"name":"عائشہ"}\r\nsecond line',
      ]),
      'XyZ',
    );
    expect(fields).toEqual({ _csrf: 'token-123', credential: '', file: '{"name":"عائشہ"}\r\nsecond line' });
  });

  it('refuses a body without the boundary or with a part cut short', () => {
    expect(() => parseMultipart(Buffer.from('nothing here'), 'XyZ')).toThrow();
    expect(() => parseMultipart(Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue'), 'XyZ')).toThrow();
  });
});
