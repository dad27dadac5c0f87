/**
 * What a lesson page needs to show a video: everything is precomputed and cached
 * (VideosService.videosForCourse), so rendering a warm lesson page costs no query.
 * URLs are absolute paths under /media/videos/<videoId>/ and never change content.
 */
export type VideoStatus = 'uploading' | 'queued' | 'processing' | 'ready' | 'failed';

export type RenditionName = '144p' | '240p' | '360p' | '480p' | 'audio';

export type CaptionLang = 'en' | 'ur';

export interface LessonVideoRendition {
  name: RenditionName;
  /** Frame height in pixels; absent for the audio-only rendition. */
  height?: number;
  /** Nominal peak bits per second (video + audio), as in the master playlist. */
  bandwidth: number;
  playlistUrl: string;
  /** Measured size of the rendition's segments per minute of video. */
  bytesPerMinute: number;
  /** Measured size of all its segments (and init segment): what saving it for offline costs. */
  bytes: number;
}

export interface LessonVideoDownloads {
  mp4Url: string;
  mp4Bytes: number;
  audioUrl: string;
  audioBytes: number;
}

export interface LessonVideoCaption {
  lang: CaptionLang;
  /** Human-readable language name in that language, e.g. "English", "اردو". */
  label: string;
  url: string;
}

export interface LessonVideoTranscript {
  lang: CaptionLang;
  /** Plain text per cue (already sanitized), with its start time in seconds. */
  cues: { start: number; text: string }[];
}

export interface LessonVideoView {
  videoId: number;
  status: VideoStatus;
  posterUrl: string;
  masterUrl: string;
  durationSeconds: number;
  /** Taller than wide (a phone held upright): the player's frame is portrait too. */
  portrait: boolean;
  /** 0 = watching is not required to complete the lesson. */
  requiredWatchPercent: number;
  /** Lowest first. */
  renditions: LessonVideoRendition[];
  downloads: LessonVideoDownloads;
  captions: LessonVideoCaption[];
  transcript: LessonVideoTranscript[];
}

/** Videos of one course keyed by lesson id; only ready (transcoded) videos of published lessons. */
export type CourseVideos = Map<number, LessonVideoView>;
