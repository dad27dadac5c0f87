import { spawn } from 'node:child_process';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AAC_CODEC, AUDIO_BITRATE, averageBitrate, DOWNLOAD_STEP, H264_CODEC, LadderStep, PEAK_FACTOR, peakBitrate, SEGMENT_SECONDS, stepsFor } from './video-ladder';
import type { StoredDownloads, StoredRendition } from './entities/video.entity';

export interface ProbedVideo {
  durationMs: number;
  width: number;
  height: number;
  hasAudio: boolean;
}

export interface TranscodeResult {
  renditions: StoredRendition[];
  downloads: StoredDownloads;
}

/** A file ffprobe cannot read as a video (no video stream, or not a media file at all). */
export class NotAVideoError extends Error {}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(program: string, args: string[], onStdout?: (text: string) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      if (onStdout) onStdout(text);
      else stdout += text;
    });
    // Only the end of ffmpeg's log matters (the error); keep memory bounded on long runs.
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-8000)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The last meaningful lines of ffmpeg's log, for the error stored on the video. */
function lastLines(log: string): string {
  return log.trim().split('\n').slice(-3).join(' | ').slice(0, 400);
}

/**
 * ffmpeg and ffprobe, as the transcode job uses them: one ffmpeg run decodes the upload once
 * and writes every rendition (fMP4 HLS), the audio-only rendition, the MP4 and M4A downloads
 * and the poster.
 */
export class Transcoder {
  constructor(
    private readonly ffmpegPath: string,
    private readonly ffprobePath: string,
  ) {}

  /**
   * What the file holds, as it is shown: a phone's portrait video is often stored landscape with
   * a rotation, which ffmpeg applies when decoding, so width and height are swapped for it here.
   * NotAVideoError for anything without a decodable video stream.
   */
  async probe(file: string): Promise<ProbedVideo> {
    const entries = 'format=duration:stream=codec_type,width,height,duration:stream_tags=rotate:stream_side_data=rotation';
    const result = await run(this.ffprobePath, ['-v', 'error', '-show_entries', entries, '-of', 'json', file]);
    if (result.code !== 0) throw new NotAVideoError(lastLines(result.stderr) || 'ffprobe could not read the file');
    const parsed = JSON.parse(result.stdout || '{}') as { format?: { duration?: string }; streams?: ProbedStream[] };
    const streams = parsed.streams ?? [];
    const video = streams.find((s) => s.codec_type === 'video' && (s.width ?? 0) > 0 && (s.height ?? 0) > 0);
    const seconds = Number(parsed.format?.duration ?? video?.duration ?? NaN);
    // A still image is a "video" stream to ffprobe, without a duration.
    if (!video || !Number.isFinite(seconds) || seconds <= 0) throw new NotAVideoError('no video stream with a duration');
    const turned = Math.abs(rotationOf(video)) % 180 === 90;
    return {
      durationMs: Math.round(seconds * 1000),
      width: turned ? video.height! : video.width!,
      height: turned ? video.width! : video.height!,
      hasAudio: streams.some((s) => s.codec_type === 'audio'),
    };
  }

  /**
   * Transcodes `input` into `outDir`, every file named `<prefix>-…`. `onProgress` gets 0–100
   * as ffmpeg reports the time it has reached.
   */
  async transcode(input: string, source: ProbedVideo, outDir: string, prefix: string, onProgress: (percent: number) => void): Promise<TranscodeResult> {
    const steps = stepsFor(source.height, source.width);
    const download = steps.find((s) => s.name === DOWNLOAD_STEP) ?? steps[steps.length - 1];
    const seconds = source.durationMs / 1000;
    // The ladder's boxes are landscape; a portrait video gets them turned, so "240p" is 240 wide, not 135.
    const portrait = source.height > source.width;
    const scaleInto = (box: { width: number; height: number }) => scaleIntoBox(portrait ? { width: box.height, height: box.width } : box);
    const posterAt = Math.min(2, seconds / 3).toFixed(2);
    const out = (name: string) => join(outDir, `${prefix}-${name}`);

    const labels = steps.map((s) => `[v${s.name}]`).join('');
    const filters = [
      `[0:v]split=${steps.length + 2}${labels}[vdl][vposter]`,
      ...steps.map((s) => `[v${s.name}]${scaleInto(s)}[o${s.name}]`),
      `[vdl]${scaleInto(download)}[odl]`,
      // 640×360 at JPEG quality 8: about 11 KB, so the lesson page with its poster stays under 20 KB before play.
      `[vposter]select='gte(t\\,${posterAt})',${scaleInto({ width: 640, height: 360 })}[oposter]`,
    ].join(';');
    // A silent track for sources without sound: every rendition then has the same layout.
    const audioInput = source.hasAudio ? [] : ['-f', 'lavfi', '-t', seconds.toFixed(3), '-i', 'anullsrc=r=48000:cl=mono'];
    const audio = source.hasAudio ? '0:a:0' : '1:a:0';
    const aac = ['-c:a', 'aac', '-ac', '1', '-b:a', String(AUDIO_BITRATE)];
    const hls = (name: string) => [
      '-f', 'hls', '-hls_time', String(SEGMENT_SECONDS), '-hls_playlist_type', 'vod', '-hls_segment_type', 'fmp4',
      '-hls_fmp4_init_filename', `${prefix}-${name}-init.mp4`, '-hls_segment_filename', out(`${name}-%03d.m4s`), out(`${name}.m3u8`),
    ];
    // Keyframes every two seconds at any frame rate, none elsewhere: segments cut cleanly and renditions switch at the same points.
    const x264 = (step: LadderStep) => [
      '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'main', '-level:v', '3.0', '-pix_fmt', 'yuv420p',
      '-b:v', String(step.videoBitrate), '-maxrate', String(Math.round(step.videoBitrate * PEAK_FACTOR)), '-bufsize', String(step.videoBitrate * 2),
      '-force_key_frames', 'expr:gte(t,n_forced*2)', '-sc_threshold', '0',
    ];
    const args = [
      '-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-progress', 'pipe:1', '-nostats',
      '-i', input, ...audioInput,
      '-filter_complex', filters,
      ...steps.flatMap((s) => ['-map', `[o${s.name}]`, '-map', audio, ...x264(s), ...aac, ...hls(s.name)]),
      '-map', audio, '-vn', ...aac, ...hls('audio'),
      '-map', '[odl]', '-map', audio, ...x264(download), ...aac, '-movflags', '+faststart', out(`${DOWNLOAD_STEP}.mp4`),
      '-map', audio, '-vn', ...aac, '-movflags', '+faststart', out('audio.m4a'),
      '-map', '[oposter]', '-frames:v', '1', '-q:v', '8', out('poster.jpg'),
    ];
    let buffered = '';
    let last = -1;
    const result = await run(this.ffmpegPath, args, (text) => {
      buffered += text;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const match = /^out_time_us=(\d+)/.exec(line);
        if (!match) continue;
        const percent = Math.min(99, Math.floor(Number(match[1]) / 10_000 / seconds));
        if (percent > last) onProgress((last = percent));
      }
    });
    if (result.code !== 0) throw new Error(`ffmpeg failed (exit ${result.code}): ${lastLines(result.stderr)}`);

    const files = await readdir(outDir);
    const bytesOf = async (pattern: RegExp) => {
      let total = 0;
      for (const name of files.filter((f) => pattern.test(f))) total += (await stat(join(outDir, name))).size;
      return total;
    };
    const escaped = prefix.replace(/[^0-9a-f]/g, '');
    const renditions: StoredRendition[] = [];
    const widths = new Map<string, number>();
    for (const step of steps) {
      const made = await this.probe(out(`${step.name}.m3u8`));
      widths.set(step.name, made.width);
      renditions.push({
        name: step.name,
        height: made.height,
        bandwidth: peakBitrate(step),
        averageBandwidth: averageBitrate(step),
        bytes: await bytesOf(new RegExp(`^${escaped}-${step.name}-(init\\.mp4|\\d+\\.m4s)$`)),
      });
    }
    renditions.push({ name: 'audio', bandwidth: peakBitrate(null), averageBandwidth: averageBitrate(null), bytes: await bytesOf(new RegExp(`^${escaped}-audio-(init\\.mp4|\\d+\\.m4s)$`)) });
    await writeFile(out('master.m3u8'), masterPlaylist(prefix, renditions, widths));
    return {
      renditions,
      downloads: { mp4Bytes: (await stat(out(`${DOWNLOAD_STEP}.mp4`))).size, audioBytes: (await stat(out('audio.m4a'))).size },
    };
  }
}

interface ProbedStream {
  codec_type?: string;
  width?: number;
  height?: number;
  duration?: string;
  tags?: { rotate?: string };
  side_data_list?: { rotation?: number }[];
}

/** Degrees the player turns the picture: the display matrix's rotation, or the older `rotate` tag. */
function rotationOf(stream: ProbedStream): number {
  const fromMatrix = stream.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation;
  return fromMatrix ?? Number(stream.tags?.rotate ?? 0);
}

/** Fits the frame into the box, keeping its shape, with even sides. */
function scaleIntoBox(box: { width: number; height: number }): string {
  return `scale=w=${box.width}:h=${box.height}:force_original_aspect_ratio=decrease:force_divisible_by=2`;
}

/** The master playlist: every rendition, lowest first, the audio-only one last. */
export function masterPlaylist(prefix: string, renditions: StoredRendition[], widths: Map<string, number>): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const r of renditions) {
    const common = `BANDWIDTH=${r.bandwidth},AVERAGE-BANDWIDTH=${r.averageBandwidth}`;
    if (r.name === 'audio') lines.push(`#EXT-X-STREAM-INF:${common},CODECS="${AAC_CODEC}"`);
    else lines.push(`#EXT-X-STREAM-INF:${common},RESOLUTION=${widths.get(r.name)}x${r.height},CODECS="${H264_CODEC},${AAC_CODEC}"`);
    lines.push(`${prefix}-${r.name}.m3u8`);
  }
  return `${lines.join('\n')}\n`;
}
