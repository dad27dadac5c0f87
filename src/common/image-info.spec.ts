import { readImageInfo } from './image-info';

/** The first bytes of a PNG: signature and IHDR, enough for the header reader. */
function pngOf(width: number, height: number): Buffer {
  const data = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(data);
  data.writeUInt32BE(13, 8);
  data.write('IHDR', 12, 'latin1');
  data.writeUInt32BE(width, 16);
  data.writeUInt32BE(height, 20);
  return data;
}

function jpegOf(width: number, height: number): Buffer {
  const app0 = Buffer.from([
    0xff,
    0xe0,
    0x00,
    0x10,
    ...Buffer.from('JFIF\0', 'latin1'),
    1,
    1,
    0,
    0,
    1,
    0,
    1,
    0,
    0,
  ]);
  const sof = Buffer.from([
    0xff,
    0xc2,
    0x00,
    0x11,
    0x08,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    3,
    1,
    0x22,
    0,
    2,
    0x11,
    1,
    3,
    0x11,
    1,
  ]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.from([0xff, 0xd9])]);
}

function webp(chunk: string, body: Buffer): Buffer {
  const header = Buffer.alloc(20);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(12 + body.length, 4);
  header.write('WEBP', 8, 'latin1');
  header.write(chunk, 12, 'latin1');
  header.writeUInt32LE(body.length, 16);
  return Buffer.concat([header, body]);
}

describe(readImageInfo.name, () => {
  it('reads PNG, JPEG (progressive, after an APP0 segment) and the three WebP flavours', () => {
    expect(readImageInfo(pngOf(640, 480))).toEqual({ type: 'png', width: 640, height: 480 });
    expect(readImageInfo(jpegOf(1200, 800))).toEqual({ type: 'jpeg', width: 1200, height: 800 });

    const lossy = Buffer.alloc(10);
    lossy.set([0x9d, 0x01, 0x2a], 3);
    lossy.writeUInt16LE(300, 6);
    lossy.writeUInt16LE(200, 8);
    expect(readImageInfo(webp('VP8 ', lossy))).toEqual({ type: 'webp', width: 300, height: 200 });

    const lossless = Buffer.alloc(10);
    lossless[0] = 0x2f;
    lossless.writeUInt32LE((99 & 0x3fff) | ((49 & 0x3fff) << 14), 1);
    expect(readImageInfo(webp('VP8L', lossless))).toEqual({ type: 'webp', width: 100, height: 50 });

    const extended = Buffer.alloc(10);
    extended.writeUIntLE(1919, 4, 3);
    extended.writeUIntLE(1079, 7, 3);
    expect(readImageInfo(webp('VP8X', extended))).toEqual({ type: 'webp', width: 1920, height: 1080 });
  });

  it('refuses what is not an image, whatever it is called', () => {
    expect(
      readImageInfo(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')),
    ).toBeNull();
    expect(readImageInfo(Buffer.from('%PDF-1.7\n'))).toBeNull();
    expect(readImageInfo(Buffer.from('GIF89a'))).toBeNull();
    expect(readImageInfo(Buffer.alloc(0))).toBeNull();
  });

  it('refuses a truncated or inconsistent header', () => {
    expect(readImageInfo(pngOf(10, 10).subarray(0, 20))).toBeNull();
    expect(readImageInfo(pngOf(0, 10))).toBeNull();
    expect(readImageInfo(Buffer.from([0xff, 0xd8, 0xff, 0xd9]))).toBeNull();
    expect(readImageInfo(webp('VP8 ', Buffer.alloc(10)))).toBeNull();
  });
});
