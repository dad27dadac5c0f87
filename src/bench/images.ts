import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { prepareCoverImage, prepareLessonImage } from '../authoring/image-processing';

/**
 * What resizing on upload costs and saves. For three kinds of upload a trainer makes (a phone
 * photo, a photo already sized for the web, a screenshot) it prints the bytes stored and a
 * learner downloads before and after, and the time per upload against a baseline measured in the
 * same run: hashing the bytes as they came, which is all the upload did before resizing.
 *
 *   node dist/bench/images.js        (BENCH_IMAGE_ROUNDS=10)
 */
const ROUNDS = Number(process.env.BENCH_IMAGE_ROUNDS ?? 10);

/**
 * Photo-like content: smooth colour regions with texture at several scales (cloth, skin, foliage),
 * so that, as in a real photo, detail survives scaling down and the encoder has work to do.
 */
async function photo(width: number, height: number, quality: number): Promise<Buffer> {
  const gradient = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="g" x2="1" y2="1">` +
      `<stop offset="0" stop-color="#c8643c"/><stop offset=".5" stop-color="#e8d8b0"/><stop offset="1" stop-color="#2a5c7a"/></linearGradient></defs>` +
      `<rect width="100%" height="100%" fill="url(#g)"/><circle cx="${width / 3}" cy="${height / 2}" r="${height / 4}" fill="#f4f0e6"/></svg>`,
  );
  const texture = async (scale: number, sigma: number) =>
    sharp({ create: { width: Math.ceil(width / scale), height: Math.ceil(height / scale), channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma } } })
      .resize(width, height, { kernel: 'cubic' })
      .png()
      .toBuffer();
  const layers = await Promise.all([texture(16, 40), texture(4, 30), texture(1, 12)]);
  return sharp(gradient)
    .composite(layers.map((input) => ({ input, blend: 'overlay' as const })))
    .jpeg({ quality })
    .toBuffer();
}

/** A screenshot: flat colours, hard edges and lines of "text". */
async function screenshot(width: number, height: number): Promise<Buffer> {
  const lines = Array.from({ length: 40 }, (_, i) => `<rect x="40" y="${80 + i * 28}" width="${300 + ((i * 97) % 900)}" height="12" fill="#222"/>`).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#fff"/><rect width="100%" height="56" fill="#ff6a00"/>${lines}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = process.hrtime.bigint();
    await work();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

async function main(): Promise<void> {
  const uploads: [string, Buffer, 'jpeg' | 'png'][] = [
    ['phone photo 4000×3000 JPEG q92', await photo(4000, 3000, 92), 'jpeg'],
    ['web photo 1200×800 JPEG q80', await photo(1200, 800, 80), 'jpeg'],
    ['screenshot 1600×1000 PNG', await screenshot(1600, 1000), 'png'],
  ];
  console.log(`Images, median of ${ROUNDS} rounds; baseline = hashing the upload as it came (what storing it unchanged costs)`);
  console.log('upload                              bytes in → stored      saved   size out     ms   baseline ms   ×baseline');
  for (const [name, data, type] of uploads) {
    const baseline = await timed(async () => createHash('sha256').update(data).digest('hex'));
    const out = await prepareLessonImage(data, type);
    const ms = await timed(() => prepareLessonImage(data, type));
    const saved = 1 - out.data.length / data.length;
    console.log(
      `${name.padEnd(34)} ${String(data.length).padStart(9)} → ${String(out.data.length).padStart(8)}  ${(saved * 100).toFixed(1).padStart(6)}%  ${`${out.width}×${out.height}`.padStart(9)}  ${ms.toFixed(1).padStart(6)}  ${baseline.toFixed(2).padStart(11)}  ${(ms / baseline).toFixed(0).padStart(10)}`,
    );
  }
  const cover = await prepareCoverImage(uploads[0][1]);
  const coverMs = await timed(() => prepareCoverImage(uploads[0][1]));
  console.log(`cover from the phone photo: ${uploads[0][1].length} → ${cover.data.length} bytes (${cover.width}×${cover.height}), ${coverMs.toFixed(1)} ms`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
