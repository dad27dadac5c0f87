import sharp from 'sharp';
import { COVER_SIZE, prepareCoverImage, prepareLessonImage, UnreadableImageError } from './image-processing';

const noisy = (width: number, height: number, sigma: number) =>
  sharp({ create: { width, height, channels: 3, background: '#406080', noise: { type: 'gaussian', mean: 110, sigma } } });

/** A screenshot-like picture: flat colours and hard edges (a dark bar of "text" on white). */
async function screenshotPng(width: number, height: number): Promise<Buffer> {
  const bar = await sharp({ create: { width: Math.floor(width / 2), height: 12, channels: 3, background: '#111' } }).png().toBuffer();
  return sharp({ create: { width, height, channels: 3, background: '#fff' } })
    .composite([{ input: bar, top: 20, left: 20 }])
    .png()
    .toBuffer();
}

describe('prepareLessonImage', () => {
  it('keeps a screenshot pixel for pixel (lossless WebP) and never enlarges it', async () => {
    const png = await screenshotPng(400, 300);
    const out = await prepareLessonImage(png, 'png');
    expect([out.width, out.height]).toEqual([400, 300]);
    const [before, after] = await Promise.all([png, out.data].map((b) => sharp(b).removeAlpha().raw().toBuffer()));
    expect(Buffer.compare(before, after)).toBe(0);
  });

  it('turns a photograph saved as PNG into a lossy WebP, far smaller than a lossless one', async () => {
    const png = await noisy(1200, 900, 40).png().toBuffer();
    const out = await prepareLessonImage(png, 'png');
    expect([out.width, out.height]).toEqual([960, 720]);
    const lossless = await sharp(png).resize({ width: 960 }).webp({ lossless: true }).toBuffer();
    expect(out.data.length * 1.5).toBeLessThan(lossless.length);
  });

  it('keeps transparency', async () => {
    const png = await sharp({ create: { width: 200, height: 100, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    const meta = await sharp((await prepareLessonImage(png, 'png')).data).metadata();
    expect(meta.hasAlpha).toBe(true);
  });

  it('throws UnreadableImageError for a file cut short', async () => {
    const jpeg = await noisy(600, 400, 30).jpeg().toBuffer();
    await expect(prepareLessonImage(jpeg.subarray(0, 2000), 'jpeg')).rejects.toBeInstanceOf(UnreadableImageError);
  });
});

describe('prepareCoverImage', () => {
  it('crops any shape to the cover size', async () => {
    for (const [width, height] of [
      [2000, 500],
      [500, 1000],
    ]) {
      const out = await prepareCoverImage(await noisy(width, height, 10).jpeg().toBuffer());
      expect([out.width, out.height]).toEqual([COVER_SIZE.width, COVER_SIZE.height]);
      expect((await sharp(out.data).metadata()).format).toBe('webp');
    }
  });
});
