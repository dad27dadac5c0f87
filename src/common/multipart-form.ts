import type { Request } from 'express';

function httpError(status: number, message: string): Error {
  return Object.assign(new Error(message), { status });
}

/** One part of a multipart body: a field, or a file with its name and the type the browser claimed. */
export interface MultipartPart {
  name: string;
  filename: string | null;
  contentType: string | null;
  data: Buffer;
}

/**
 * Reads a small multipart/form-data body (a form with a file input) into plain fields; null
 * when the request is not multipart. Each uploaded file comes back as its text (UTF-8) under
 * its field's name: this is for small text uploads only, and refuses anything over maxBytes.
 */
export async function readMultipartForm(req: Request, maxBytes: number): Promise<Record<string, string> | null> {
  const parts = await readMultipartParts(req, maxBytes);
  return parts && fieldsOf(parts);
}

/** Like readMultipartForm, but every part keeps its bytes (for binary uploads such as images). */
export function readMultipartParts(req: Request, maxBytes: number): Promise<MultipartPart[] | null> {
  const boundary = /^multipart\/form-data;.*\bboundary=(?:"([^"]+)"|([^;\s]+))/i.exec(req.headers['content-type'] ?? '');
  if (!boundary) return Promise.resolve(null);
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) return Promise.reject(httpError(413, 'request entity too large'));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const fail = (error: Error) => {
      if (done) return;
      done = true;
      req.resume();
      reject(error);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) fail(httpError(413, 'request entity too large'));
      else if (!done) chunks.push(chunk);
    });
    req.on('error', fail);
    req.on('end', () => {
      if (done) return;
      done = true;
      try {
        resolve(parseMultipartParts(Buffer.concat(chunks), boundary[1] ?? boundary[2]));
      } catch {
        reject(httpError(400, 'malformed multipart body'));
      }
    });
  });
}

/** Splits a multipart body into its named parts; a later part with the same name wins. */
export function parseMultipart(body: Buffer, boundary: string): Record<string, string> {
  return fieldsOf(parseMultipartParts(body, boundary));
}

function fieldsOf(parts: MultipartPart[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const part of parts) fields[part.name] = part.data.toString('utf8');
  return fields;
}

/** Every named part of a multipart body, in order, with its bytes as sent. */
export function parseMultipartParts(body: Buffer, boundary: string): MultipartPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let position = body.indexOf(delimiter);
  if (position < 0) throw new Error('no multipart boundary in the body');
  for (;;) {
    position += delimiter.length;
    if (body.subarray(position, position + 2).toString() === '--') return parts;
    const headersEnd = body.indexOf('\r\n\r\n', position);
    if (headersEnd < 0) throw new Error('multipart part without headers');
    const headers = body.subarray(position, headersEnd).toString('utf8');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headersEnd + 4);
    if (next < 0) throw new Error('unterminated multipart part');
    const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    if (name) {
      parts.push({
        name,
        filename: /\bfilename="([^"]*)"/i.exec(disposition)?.[1] ?? null,
        contentType: /content-type:\s*([^\r\n;]+)/i.exec(headers)?.[1].trim() ?? null,
        data: body.subarray(headersEnd + 4, next),
      });
    }
    position = next + 2;
  }
}
