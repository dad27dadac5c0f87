import { execFileSync } from 'node:child_process';
import { cpus, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config/app-config';
import { Transcoder } from '../videos/transcoder';

/**
 * What the transcode job costs and what it makes: for a generated clip (a moving test pattern
 * with camera-like noise, a tone), the wall-clock seconds of transcoding per minute of video on
 * this machine, and the megabytes per minute of every rendition and download (what a learner
 * spends on data).
 *
 *   npm run bench:video        (BENCH_VIDEO_SECONDS=60, BENCH_VIDEO_SIZE=1280x720; FFMPEG_PATH, FFPROBE_PATH)
 */
async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_VIDEO_SECONDS ?? 60);
  const size = process.env.BENCH_VIDEO_SIZE ?? '1280x720';
  const config = loadConfig({ ...process.env, DATA_DIR: process.env.DATA_DIR ?? join(tmpdir(), 'exportready-bench-data') });
  const dir = mkdtempSync(join(tmpdir(), 'exportready-video-bench-'));
  try {
    const source = join(dir, 'source.mp4');
    execFileSync(config.video.ffmpegPath, [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=25:duration=${seconds},noise=alls=12:allf=t`,
      '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=44100:duration=${seconds}`,
      '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k', '-shortest', source,
    ]);
    const transcoder = new Transcoder(config.video.ffmpegPath, config.video.ffprobePath);
    const probed = await transcoder.probe(source);
    const out = join(dir, 'out');
    execFileSync('mkdir', ['-p', out]);
    const started = process.hrtime.bigint();
    const result = await transcoder.transcode(source, probed, out, '0123456789abcdef', () => undefined);
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    const minutes = probed.durationMs / 60_000;
    const mb = (bytes: number) => (bytes / 1024 / 1024 / minutes).toFixed(2);
    console.log(`video bench: ${seconds} s source at ${size}, ${cpus().length} cores`);
    console.log(`transcode: ${elapsed.toFixed(1)} s wall clock = ${(elapsed / minutes).toFixed(1)} s per minute of video (every rendition, downloads and poster in one ffmpeg run)`);
    console.log('rendition  MB per minute  (nominal kbit/s)');
    for (const r of result.renditions) console.log(`${r.name.padEnd(9)}  ${mb(r.bytes).padStart(13)}  (${r.averageBandwidth / 1000})`);
    console.log(`${'mp4 240p'.padEnd(9)}  ${mb(result.downloads.mp4Bytes).padStart(13)}`);
    console.log(`${'m4a'.padEnd(9)}  ${mb(result.downloads.audioBytes).padStart(13)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
