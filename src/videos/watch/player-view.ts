import type { LessonVideoView, RenditionName } from '../lesson-video-view';

export interface PlayerQuality {
  name: RenditionName;
  playlistUrl: string;
  /** Megabytes for the whole video at this quality, rounded for "about N MB". */
  megabytes: number;
  audioOnly: boolean;
  selected: boolean;
}

/** What "save for offline" keeps on the phone: the lowest picture quality, with poster and captions. */
export interface PlayerOffline {
  rendition: RenditionName;
  playlistUrl: string;
  /** Segments and init segment, measured at transcode; the poster and captions add a few KB. */
  bytes: number;
  megabytes: number;
  /** Room all saved videos may take on one phone (VIDEO_OFFLINE_BUDGET_MB). */
  budgetBytes: number;
}

export interface PlayerView {
  videoId: number;
  posterUrl: string;
  masterUrl: string;
  durationSeconds: number;
  durationLabel: string;
  portrait: boolean;
  requiredWatchPercent: number;
  /** The quality the player starts with: 'auto' (the master playlist) unless data saver picked one. */
  start: RenditionName | 'auto';
  qualities: PlayerQuality[];
  downloads: { mp4Url: string; mp4Megabytes: number; audioUrl: string; audioMegabytes: number };
  captions: LessonVideoView['captions'];
  /** Absent when offline saving is switched off (budget 0) or the video has no picture rendition. */
  offline: PlayerOffline | null;
  transcript: { lang: string; cues: { start: number; at: string; text: string }[] }[];
}

/** 1.2 MB → 1.2, 6.4 MB → 6, never 0 for a file that exists. */
export function megabytes(bytes: number): number {
  const mb = bytes / 1_000_000;
  if (mb <= 0) return 0;
  if (mb < 10) return Math.max(0.1, Math.round(mb * 10) / 10);
  return Math.round(mb);
}

/** 75 → "1:15", 3725 → "1:02:05". */
export function clockTime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return hh > 0 ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/**
 * What the lesson page's player partial shows for a ready video: sizes from the measured bytes
 * per minute and the duration, and the starting quality (data saver: audio only, or the lowest).
 */
export function playerView(video: LessonVideoView, options: { dataSaver: boolean; offlineBudgetBytes: number }): PlayerView {
  const minutes = video.durationSeconds / 60;
  const lowestVideo = video.renditions.find((r) => r.name !== 'audio');
  const audio = video.renditions.find((r) => r.name === 'audio');
  const start: PlayerView['start'] = options.dataSaver ? (audio ?? lowestVideo)?.name ?? 'auto' : 'auto';
  return {
    videoId: video.videoId,
    posterUrl: video.posterUrl,
    masterUrl: video.masterUrl,
    durationSeconds: video.durationSeconds,
    durationLabel: clockTime(video.durationSeconds),
    portrait: video.portrait,
    requiredWatchPercent: video.requiredWatchPercent,
    start,
    qualities: video.renditions.map((r) => ({
      name: r.name,
      playlistUrl: r.playlistUrl,
      megabytes: megabytes(r.bytesPerMinute * minutes),
      audioOnly: r.name === 'audio',
      selected: r.name === start,
    })),
    downloads: {
      mp4Url: video.downloads.mp4Url,
      mp4Megabytes: megabytes(video.downloads.mp4Bytes),
      audioUrl: video.downloads.audioUrl,
      audioMegabytes: megabytes(video.downloads.audioBytes),
    },
    captions: video.captions,
    offline:
      lowestVideo && options.offlineBudgetBytes > 0
        ? { rendition: lowestVideo.name, playlistUrl: lowestVideo.playlistUrl, bytes: lowestVideo.bytes, megabytes: megabytes(lowestVideo.bytes), budgetBytes: options.offlineBudgetBytes }
        : null,
    transcript: video.transcript.map((t) => ({ lang: t.lang, cues: t.cues.map((c) => ({ ...c, at: clockTime(c.start) })) })),
  };
}
