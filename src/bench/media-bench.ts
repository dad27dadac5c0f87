import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONNECTIONS, DURATION, freePort, loadPaired, median, ROUNDS, start, waitFor } from './bench-kit';

/**
 * `npm run bench:media`: what streaming video files out of the file storage (sendStoredFile)
 * costs against Express's sendFile of the same file, in the same run: a 64 KB segment (a 4 s
 * 144p segment), a 1 MB segment (4 s at 2 Mbit/s) and a 64 KB range of a 1.5 MB MP4 (a
 * player's partial read). Ratios are storage req/s ÷ sendFile req/s, median of BENCH_ROUNDS.
 */
async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'exportready-media-bench-'));
  mkdirSync(join(root, 'videos', '1'), { recursive: true });
  writeFileSync(join(root, 'videos', '1', 'small.m4s'), randomBytes(64 * 1024));
  writeFileSync(join(root, 'videos', '1', 'large.m4s'), randomBytes(1024 * 1024));
  writeFileSync(join(root, 'videos', '1', 'download.mp4'), randomBytes(1536 * 1024));
  const port = await freePort();
  const server = start('bench/media-bench-server.js', { PORT: String(port), MEDIA_ROOT: root });
  try {
    await waitFor(`http://127.0.0.1:${port}/storage/small.m4s`);
    const base = `http://127.0.0.1:${port}`;
    const cases: { name: string; file: string; range?: string }[] = [
      { name: '64 KB segment', file: 'small.m4s' },
      { name: '1 MB segment', file: 'large.m4s' },
      { name: '64 KB range of an MP4', file: 'download.mp4', range: 'bytes=524288-589823' },
    ];
    console.log(`media bench: ${DURATION} s × ${ROUNDS} rounds each, ${CONNECTIONS} connections`);
    console.log('\n| request | sendFile req/s | storage req/s | storage p99 ms | storage ÷ sendFile (median, lowest–highest) |');
    console.log('|---|---:|---:|---:|---:|');
    for (const c of cases) {
      const headers: Record<string, string> = c.range ? { range: c.range } : {};
      const pair = await loadPaired({ name: `sendFile ${c.name}`, url: `${base}/send/${c.file}`, headers }, { name: `storage ${c.name}`, url: `${base}/storage/${c.file}`, headers });
      if (pair.page.non2xx || pair.baseline.non2xx) throw new Error(`${c.name}: ${pair.page.non2xx + pair.baseline.non2xx} answers were not 2xx`);
      const ratios = pair.ratios;
      console.log(`| ${c.name} | ${pair.baseline.rps.toFixed(0)} | ${pair.page.rps.toFixed(0)} | ${pair.page.p99} | ${median(ratios).toFixed(2)}× (${ratios[0].toFixed(2)}–${ratios[ratios.length - 1].toFixed(2)}) |`);
    }
  } finally {
    server.kill();
    await once(server, 'exit');
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
