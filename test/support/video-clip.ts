import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Generated once per machine (cached in tmp): ffmpeg's test pattern with light noise (as camera footage has) and a tone. */
export const CLIP = { seconds: 10, width: 854, height: 480 };

export function testClipPath(): string {
  const dir = join(tmpdir(), 'exportready-video-clips');
  const path = join(dir, `testsrc-${CLIP.width}x${CLIP.height}-${CLIP.seconds}s.mp4`);
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  const temp = `${path}.${process.pid}.tmp.mp4`;
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc=size=${CLIP.width}x${CLIP.height}:rate=25:duration=${CLIP.seconds},noise=alls=12:allf=t`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=44100:duration=${CLIP.seconds}`,
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k', '-shortest', temp,
  ]);
  renameSync(temp, path);
  return path;
}

/**
 * A clip as a phone records it held upright: 640×360 pixels stored with a 90° rotation, so it
 * is shown 360 wide and 640 tall. Generated once per machine like testClipPath.
 */
export function phoneClipPath(): string {
  const dir = join(tmpdir(), 'exportready-video-clips');
  const path = join(dir, 'phone-portrait-640x360-rotate90-6s.mp4');
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  const landscape = `${path}.${process.pid}.landscape.mp4`;
  const temp = `${path}.${process.pid}.tmp.mp4`;
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=25:duration=6,noise=alls=12:allf=t',
    '-f', 'lavfi', '-i', 'sine=frequency=330:sample_rate=44100:duration=6',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '22', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', landscape,
  ]);
  // Only the display matrix changes, as a phone writes it: the pixels stay landscape.
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', landscape, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', temp]);
  rmSync(landscape, { force: true });
  renameSync(temp, path);
  return path;
}

export function testClip(): Buffer {
  return readFileSync(testClipPath());
}

export interface ProbedStream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
}

/** ffprobe's view of a file or playlist: streams and duration. */
export function ffprobe(path: string): { streams: ProbedStream[]; format: { duration: string } } {
  return JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name,width,height:format=duration', '-of', 'json', path]).toString());
}
