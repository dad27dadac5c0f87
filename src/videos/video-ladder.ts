import type { RenditionName } from './lesson-video-view';

/** One step of the ladder: the box a frame is fitted into and the bit rates aimed at. */
export interface LadderStep {
  name: Exclude<RenditionName, 'audio'>;
  width: number;
  height: number;
  /** Average video bit rate (x264 ABR target), bits per second. */
  videoBitrate: number;
}

/**
 * Sized for phones on slow, metered connections: the lowest step plays on 2G-class links,
 * the highest still fits a cheap data bundle. The peak (`-maxrate`) is 10 % over the average
 * and the VBV buffer two seconds, so a segment never bursts far above what the master
 * playlist announces.
 */
export const LADDER: readonly LadderStep[] = [
  { name: '144p', width: 258, height: 144, videoBitrate: 80_000 },
  { name: '240p', width: 428, height: 240, videoBitrate: 150_000 },
  { name: '360p', width: 640, height: 360, videoBitrate: 280_000 },
  { name: '480p', width: 854, height: 480, videoBitrate: 450_000 },
];

/** AAC-LC mono: speech stays clear, and the audio-only choice costs ~22 MB an hour. */
export const AUDIO_BITRATE = 48_000;
export const PEAK_FACTOR = 1.1;
/** Seconds per HLS segment: short enough to start fast, long enough to keep overhead low. */
export const SEGMENT_SECONDS = 4;
/** The MP4 download is the 240p step. */
export const DOWNLOAD_STEP = '240p';

export const H264_CODEC = 'avc1.4d401e';
export const AAC_CODEC = 'mp4a.40.2';

/** Steps worth making for a source of this size: none above the source (upscaling only adds bytes), but always the lowest. */
export function stepsFor(sourceHeight: number, sourceWidth: number): LadderStep[] {
  const shortSide = Math.min(sourceHeight, sourceWidth);
  const steps = LADDER.filter((step, index) => index === 0 || step.height <= shortSide);
  return steps;
}

export function peakBitrate(step: LadderStep | null): number {
  return Math.round(((step?.videoBitrate ?? 0) + AUDIO_BITRATE) * PEAK_FACTOR);
}

export function averageBitrate(step: LadderStep | null): number {
  return (step?.videoBitrate ?? 0) + AUDIO_BITRATE;
}
