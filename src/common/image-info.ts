// Recognises an uploaded image from its bytes (never from its name or the browser's claimed
// type) and reads its size from the header, so lesson images get width and height attributes.

import { createHash } from 'node:crypto';

export type ImageType = 'png' | 'jpeg' | 'webp';

export interface ImageInfo {
  type: ImageType;
  width: number;
  height: number;
}

export const IMAGE_CONTENT_TYPES: Record<ImageType, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
};
export const IMAGE_EXTENSIONS: Record<ImageType, string> = { png: 'png', jpeg: 'jpg', webp: 'webp' };

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height of a PNG, JPEG or WebP image; null for anything else or a header that does not hold together. */
export function readImageInfo(data: Buffer): ImageInfo | null {
  const size = data.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)
    ? pngSize(data)
    : data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff
      ? jpegSize(data)
      : data.toString('latin1', 0, 4) === 'RIFF' && data.toString('latin1', 8, 12) === 'WEBP'
        ? webpSize(data)
        : null;
  if (!size || size.width < 1 || size.height < 1) return null;
  return size;
}

function pngSize(data: Buffer): ImageInfo | null {
  // The first chunk must be IHDR: width and height are its first two 32-bit fields.
  if (data.length < 24 || data.toString('latin1', 12, 16) !== 'IHDR') return null;
  return { type: 'png', width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

function jpegSize(data: Buffer): ImageInfo | null {
  let offset = 2;
  while (offset + 4 <= data.length) {
    if (data[offset] !== 0xff) return null;
    const marker = data[offset + 1];
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    // Markers without a length: restart markers and TEM.
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      offset += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null; // end of image / start of scan before any frame header
    const length = data.readUInt16BE(offset + 2);
    if (length < 2) return null;
    // Start-of-frame markers C0–CF, except DHT (C4), JPG (C8) and DAC (CC), carry the size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (offset + 9 > data.length) return null;
      return { type: 'jpeg', height: data.readUInt16BE(offset + 5), width: data.readUInt16BE(offset + 7) };
    }
    offset += 2 + length;
  }
  return null;
}

function webpSize(data: Buffer): ImageInfo | null {
  if (data.length < 30) return null;
  const chunk = data.toString('latin1', 12, 16);
  if (chunk === 'VP8 ') {
    // Lossy: a key frame starts with the start code 9D 01 2A, then 14-bit width and height.
    if (data[23] !== 0x9d || data[24] !== 0x01 || data[25] !== 0x2a) return null;
    return { type: 'webp', width: data.readUInt16LE(26) & 0x3fff, height: data.readUInt16LE(28) & 0x3fff };
  }
  if (chunk === 'VP8L') {
    // Lossless: signature 0x2F, then width-1 and height-1 as two 14-bit fields.
    if (data[20] !== 0x2f) return null;
    const bits = data.readUInt32LE(21);
    return { type: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') {
    // Extended: canvas width-1 and height-1 as 24-bit little-endian numbers.
    return { type: 'webp', width: data.readUIntLE(24, 3) + 1, height: data.readUIntLE(27, 3) + 1 };
  }
  return null;
}

/**
 * A stored image's name, `<content hash>-<width>x<height>.<ext>`: it says what the file is, so
 * it never changes (cached for good) and the Markdown renderer can give the <img> its size.
 */
export const STORED_IMAGE_NAME = /^([0-9a-f]{32})-(\d{1,5})x(\d{1,5})\.(png|jpg|webp)$/;

/** The first 32 hex digits of the SHA-256 of the bytes: the hash part of a stored image's name. */
export function imageHash(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex').slice(0, 32);
}

/**
 * Whether these bytes are the image the name promises (hash, type and size), so a content/
 * folder cannot plant anything else under a stored image's name.
 */
export function imageMatchesName(name: string, data: Buffer): boolean {
  const match = STORED_IMAGE_NAME.exec(name);
  const info = match && readImageInfo(data);
  return (
    !!match &&
    !!info &&
    imageHash(data) === match[1] &&
    `${info.width}x${info.height}` === `${match[2]}x${match[3]}` &&
    IMAGE_EXTENSIONS[info.type] === match[4]
  );
}

/** The largest picture taken, uploaded or in a content/ folder: a photo straight from a phone camera (12–48 MP) fits. */
export const IMAGE_MAX_BYTES = 8 * 1024 * 1024;

/** Where stored images are served (LessonImagesController). */
export const STORED_IMAGE_PATH = '/files/lessons/';

/** A stored image as an <img> needs it: its URL and the size its name records; null for no image. */
export function storedImageTag(name: string | null | undefined): { url: string; width: number; height: number } | null {
  const match = name ? STORED_IMAGE_NAME.exec(name) : null;
  return match ? { url: STORED_IMAGE_PATH + name, width: Number(match[2]), height: Number(match[3]) } : null;
}
