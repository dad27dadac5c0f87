import type { Sharp, WebpOptions } from 'sharp';

// libvips is loaded on the first upload, not at start-up: most web processes never resize a
// picture, and loading it costs each of them about 19 MB.
const loadSharp = () => import('sharp').then((module) => module.default);

// Uploaded images are made fit for a phone on a metered connection before they are stored:
// turned upright, scaled down to what a lesson column can show, stripped of their metadata
// (a phone photo's EXIF block can hold where it was taken) and re-encoded as WebP, which every
// browser our learners use shows and which is the smallest of the three formats we accept.

/** Wide enough for the lesson column (at most ~640 CSS px) on a 1.5× phone screen. */
export const LESSON_IMAGE_MAX_WIDTH = 960;
/** Covers are cropped to one shape, so catalog cards line up. */
export const COVER_SIZE = { width: 640, height: 360 } as const;
/** Decoding a huge canvas takes memory in proportion to its pixels: refuse what no lesson needs. */
const MAX_INPUT_PIXELS = 50_000_000;
const PHOTO_QUALITY = 75;
/** A lossless WebP is kept (crisp text and lines in screenshots, diagrams) unless it is this much bigger than a lossy one. */
const LOSSLESS_ALLOWANCE = 1.5;

export interface ProcessedImage {
  data: Buffer;
  width: number;
  height: number;
}

export class UnreadableImageError extends Error {}

async function decode(data: Buffer): Promise<Sharp> {
  const sharp = await loadSharp();
  return sharp(data, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' }).rotate();
}

async function encode(pipeline: Sharp, options: WebpOptions): Promise<ProcessedImage> {
  const { data, info } = await pipeline.clone().webp(options).toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

async function run<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    // libvips says why in its own words (truncated file, bad CRC, too many pixels): to the
    // trainer it is one thing, an image we cannot read.
    throw new UnreadableImageError((error as Error).message);
  }
}

/**
 * A lesson image as it will be served: at most LESSON_IMAGE_MAX_WIDTH wide (never enlarged).
 * Photographs (JPEG, lossy WebP) become lossy WebP; a PNG becomes lossless WebP when that stays
 * close in size to a lossy one, so screenshots keep sharp text and photos saved as PNG still shrink.
 */
export function prepareLessonImage(data: Buffer, sourceType: 'png' | 'jpeg' | 'webp'): Promise<ProcessedImage> {
  return run(async () => {
    const pipeline = (await decode(data)).resize({ width: LESSON_IMAGE_MAX_WIDTH, withoutEnlargement: true });
    const lossy = await encode(pipeline, { quality: PHOTO_QUALITY, effort: 4 });
    if (sourceType !== 'png') return lossy;
    const lossless = await encode(pipeline, { lossless: true, effort: 4 });
    return lossless.data.length <= lossy.data.length * LOSSLESS_ALLOWANCE ? lossless : lossy;
  });
}

/** A course cover: cropped to COVER_SIZE around the most interesting part of the picture. */
export function prepareCoverImage(data: Buffer): Promise<ProcessedImage> {
  return run(async () => {
    const sharp = await loadSharp();
    return encode((await decode(data)).resize({ ...COVER_SIZE, fit: 'cover', position: sharp.strategy.attention }), { quality: PHOTO_QUALITY, effort: 4 });
  });
}
