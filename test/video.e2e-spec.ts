import { readdirSync, readFileSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { addLesson, createCourse, emptyContentDir, postMultipart, publish, saveLesson, signUp } from './support/authoring';
import { waitFor } from './support/certificates';
import { Browser, csrfFrom, startTestApp, TestApp } from './support/test-app';
import { CLIP, ffprobe, testClip } from './support/video-clip';
import { Video } from '../src/videos/entities/video.entity';
import { VideosService } from '../src/videos/videos.service';
import { videoSpoolDir } from '../src/videos/video-files';
import { FILE_STORAGE, FileStorage } from '../src/storage/file-storage';
import { CourseModule } from '../src/courses/course-module.entity';
import { withQueryTally } from '../src/database/query-counter';
import { ContentService } from '../src/content/content.service';
import { copyFileSync, mkdirSync } from 'node:fs';
import { testClipPath } from './support/video-clip';

jest.setTimeout(180_000);

const EN_VTT = 'WEBVTT\n\n00:00.000 --> 00:04.000\nWelcome to <b>pricing</b>\n\n00:04.000 --> 00:09.000\nA CIF price includes freight\n';
const EN_SRT = '1\r\n00:00:00,000 --> 00:00:04,000\r\nWelcome to <b>pricing</b>\r\n\r\n2\r\n00:00:04,000 --> 00:00:09,000\r\nA CIF price includes freight\r\n';
const UR_VTT = 'WEBVTT\n\n00:00.000 --> 00:04.000\nقیمت لگانے میں خوش آمدید\n';

describe('Video lessons (upload, transcode, captions, media)', () => {
  let t: TestApp;
  let trainer: Browser;
  let courseId: number;
  let lesson: string;
  let video: Video;
  let mediaDir: string;

  beforeAll(async () => {
    t = await startTestApp({ CONTENT_DIR: emptyContentDir(), IMPORT_CONTENT_ON_START: 'false', VIDEO_MAX_MB: '20' });
    trainer = await signUp(t, 'trainer@example.pk', 'trainer');
    courseId = await createCourse(trainer);
    lesson = await addLesson(trainer, courseId, 'Pricing in euros');
    await saveLesson(trainer, courseId, lesson, { bodyMarkdown: 'Watch how a CIF price in euros is built.' });
  });

  afterAll(async () => {
    await t?.close();
  });

  const page = () => `/author/videos/${courseId}/${lesson}`;
  const videoRow = async () => (await t.app.get(DataSource).getRepository(Video).find({ order: { id: 'DESC' }, take: 1 }))[0];

  it('a trainer uploads a 10-second clip in resumable chunks; the worker makes every rendition', async () => {
    const clip = testClip();
    const form = await trainer.get(page());
    expect(form.status).toBe(200);
    expect(form.text).toMatch(/<span class="meta">\(Draft\)<\/span>/);
    const token = csrfFrom(form.text);
    const start = await trainer.agent.post(`${page()}/uploads`).set('x-csrf-token', token).send({ name: 'pricing.mp4', size: clip.length });
    expect(start.status).toBe(201);
    const { uploadUrl, videoId } = start.body as { uploadUrl: string; videoId: number };

    // Over VIDEO_MAX_MB (20 here): refused before a byte is sent, with a message.
    const tooLarge = await trainer.agent.post(`${page()}/uploads`).set('x-csrf-token', token).set('accept', 'application/json').send({ name: 'huge.mp4', size: 21 * 1024 * 1024 });
    expect(tooLarge.status).toBe(400);
    expect(JSON.stringify(tooLarge.body)).toContain('file_too_large');
    // A learner reaches no author route, and nobody else's upload.
    const learner = await signUp(t, 'learner@example.pk');
    expect((await learner.get(page())).status).toBe(403);
    expect((await learner.get(uploadUrl)).status).toBe(403);

    const half = Math.floor(clip.length / 2);
    const first = await trainer.agent.put(`${uploadUrl}?offset=0`).set('x-csrf-token', token).set('content-type', 'application/octet-stream').send(clip.subarray(0, half));
    expect(first.body).toMatchObject({ received: half, status: 'uploading' });
    // A client that lost track resends from 0: told where to resume, nothing is duplicated.
    const wrong = await trainer.agent.put(`${uploadUrl}?offset=0`).set('x-csrf-token', token).set('content-type', 'application/octet-stream').send(clip.subarray(0, 100));
    expect(wrong.status).toBe(409);
    const asked = await trainer.agent.get(uploadUrl);
    expect(asked.body).toMatchObject({ received: half, size: clip.length });
    // Without the CSRF token a chunk is refused.
    expect((await trainer.agent.put(`${uploadUrl}?offset=${half}`).set('content-type', 'application/octet-stream').send(clip.subarray(half))).status).toBe(403);
    const last = await trainer.agent.put(`${uploadUrl}?offset=${half}`).set('x-csrf-token', token).set('content-type', 'application/octet-stream').send(clip.subarray(half));
    expect(last.status).toBe(200);
    expect(last.body.received).toBe(clip.length);
    expect(['queued', 'processing']).toContain(last.body.status);

    // The trainer's page follows the transcode without JavaScript (meta refresh, a progress bar).
    const following = await trainer.get(page());
    expect(following.text).toMatch(/<meta http-equiv="refresh" content="5">/);

    const started = Date.now();
    video = await waitFor('the transcode', async () => {
      const row = await t.app.get(DataSource).getRepository(Video).findOneBy({ id: videoId });
      if (row?.status === 'failed') throw new Error(`transcode failed: ${row.error}`);
      return row?.status === 'ready' ? row : null;
    }, 120_000, 250);
    console.log(`transcode of the ${CLIP.seconds} s clip took ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(video.progress).toBe(100);
    expect(video.durationMs).toBeGreaterThan(9_500);
    mediaDir = join(t.config.dataDir, 'files', 'videos', String(video.id));
    // The upload moved from the local spool into the file storage as the kept original (VIDEO_KEEP_ORIGINAL defaults to true).
    const storage = t.app.get<FileStorage>(FILE_STORAGE);
    expect(await storage.size(`videos/${video.id}/original`)).toBe(clip.length);
    expect(readdirSync(videoSpoolDir(t.config.dataDir)).filter((name) => !name.startsWith('incoming'))).toEqual([]);
    const ready = await trainer.get(page());
    expect(ready.text).not.toMatch(/http-equiv="refresh"/);
    expect(ready.text).toContain('Ready');
    expect(ready.text).toContain('Length: 10 s');
  });

  it('every rendition has the ladder height and a measured bit rate within 20 % of its nominal one (ffprobe)', () => {
    const expected = { '144p': 144, '240p': 240, '360p': 360, '480p': 480 } as Record<string, number>;
    const nominal = { '144p': 128_000, '240p': 198_000, '360p': 328_000, '480p': 498_000, audio: 48_000 } as Record<string, number>;
    expect(video.renditions!.map((r) => r.name)).toEqual(['144p', '240p', '360p', '480p', 'audio']);
    for (const rendition of video.renditions!) {
      const playlist = join(mediaDir, `${video.outputPrefix}-${rendition.name}.m3u8`);
      const probed = ffprobe(playlist);
      const seconds = Number(probed.format.duration);
      expect(seconds).toBeGreaterThan(9.5);
      const videoStream = probed.streams.find((s) => s.codec_type === 'video');
      const audioStream = probed.streams.find((s) => s.codec_type === 'audio');
      expect(audioStream?.codec_name).toBe('aac');
      if (rendition.name === 'audio') expect(videoStream).toBeUndefined();
      else {
        expect(videoStream?.codec_name).toBe('h264');
        expect(videoStream?.height).toBe(expected[rendition.name]);
      }
      const segments = readdirSync(mediaDir).filter((f) => f.startsWith(`${video.outputPrefix}-${rendition.name}-`) && f.endsWith('.m4s'));
      const bytes = segments.reduce((sum, f) => sum + statSync(join(mediaDir, f)).size, 0);
      const measured = (bytes * 8) / seconds;
      console.log(`${rendition.name}: ${Math.round(measured / 1000)} kbit/s measured, ${nominal[rendition.name] / 1000} nominal, ${Math.round(rendition.bytes / (seconds / 60) / 1024)} KiB/min`);
      expect(measured).toBeGreaterThan(nominal[rendition.name] * 0.8);
      expect(measured).toBeLessThan(nominal[rendition.name] * 1.2);
    }
    const mp4 = ffprobe(join(mediaDir, `${video.outputPrefix}-240p.mp4`));
    expect(mp4.streams.find((s) => s.codec_type === 'video')?.height).toBe(240);
    const m4a = ffprobe(join(mediaDir, `${video.outputPrefix}-audio.m4a`));
    expect(m4a.streams.map((s) => s.codec_type)).toEqual(['audio']);
    const master = readFileSync(join(mediaDir, `${video.outputPrefix}-master.m3u8`), 'utf8');
    expect(master).toContain('RESOLUTION=256x144');
    expect(master).toContain(`${video.outputPrefix}-audio.m3u8`);
  });

  it('captions in English and Urdu are checked, sanitized and attached; a bad file is refused with its reason', async () => {
    const bad = await postMultipart(trainer, page(), `${page()}/captions`, { lang: 'en' }, { field: 'captions', name: 'notes.txt', data: Buffer.from('Pricing notes\nCIF includes freight\n'), type: 'text/plain' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('This is not a caption file we can read');
    // English as SubRip (.srt), as many caption tools export it; Urdu as WebVTT. Both are stored as WebVTT.
    for (const [lang, name, text] of [['en', 'en.srt', EN_SRT], ['ur', 'ur.vtt', UR_VTT]]) {
      const ok = await postMultipart(trainer, page(), `${page()}/captions`, { lang }, { field: 'captions', name, data: Buffer.from(text), type: 'application/octet-stream' });
      expect(ok.status).toBe(303);
    }
    const percent = await trainer.submit(page(), `${page()}/setting`, { requiredWatchPercent: '150' });
    expect(percent.status).toBe(400);
    expect(percent.text).toContain('value="150"');
    expect((await trainer.submit(page(), `${page()}/setting`, { requiredWatchPercent: '80' })).status).toBe(303);
    // Not published yet: nobody can have watched it.
    expect((await trainer.get(`${page()}/watching`)).text).toContain('Learners see no video in this lesson yet');
  });

  it('after publishing, videosForCourse gives the lesson page everything, and a warm call costs no query', async () => {
    const service = t.app.get(VideosService);
    const lessonRow = await t.app.get(DataSource).getRepository(CourseModule).findOneBy({ courseId, slug: lesson });
    // Not published yet: learners see nothing.
    expect(lessonRow === null || !(await service.videosForCourse(courseId)).has(lessonRow.id)).toBe(true);
    expect((await publish(trainer, courseId)).status).toBe(303);
    const live = await t.app.get(DataSource).getRepository(CourseModule).findOneByOrFail({ courseId, slug: lesson });
    const view = (await service.videosForCourse(courseId)).get(live.id)!;
    expect(view).toMatchObject({ videoId: video.id, status: 'ready', requiredWatchPercent: 80 });
    expect(view.durationSeconds).toBeCloseTo(10, 0);
    expect(view.renditions.map((r) => [r.name, r.height])).toEqual([['144p', 144], ['240p', 240], ['360p', 360], ['480p', 480], ['audio', undefined]]);
    expect(view.renditions.every((r) => r.bytesPerMinute > 0 && r.bandwidth > 0)).toBe(true);
    expect(view.captions.map((c) => c.lang)).toEqual(['en', 'ur']);
    expect(view.transcript[0].cues).toEqual([{ start: 0, text: 'Welcome to pricing' }, { start: 4, text: 'A CIF price includes freight' }]);

    // Warm (once the cache's invalidation channel is live): no query at all.
    const warm = await waitFor('a warm read', async () => {
      const { tally, result } = withQueryTally(() => service.videosForCourse(courseId));
      await result;
      return tally.count === 0 ? tally : null;
    }, 5000);
    expect(warm.count).toBe(0);
    const cold = withQueryTally(() => service.videosForCourse(courseId + 1000));
    await cold.result;
    expect(cold.tally.count).toBeGreaterThan(0);

    // Media: immutable caching, Range requests, nothing outside the generated names.
    const anonymous = new Browser(t.server);
    const master = await anonymous.get(view.masterUrl);
    expect(master.status).toBe(200);
    expect(master.headers['content-type']).toContain('application/vnd.apple.mpegurl');
    expect(master.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const range = await anonymous.get(view.downloads.mp4Url).set('Range', 'bytes=0-99');
    expect(range.status).toBe(206);
    expect(range.headers['content-range']).toBe(`bytes 0-99/${view.downloads.mp4Bytes}`);
    const vtt = await anonymous.get(view.captions[0].url);
    expect(vtt.headers['content-type']).toContain('text/vtt');
    expect(vtt.text).toMatch(/^WEBVTT\n\n00:00:00\.000 --> 00:00:04\.000\nWelcome to pricing\n/);
    expect(vtt.text).not.toContain('<b>');
    expect((await anonymous.get(`/media/videos/${video.id}/original`)).status).toBe(404);
    expect((await anonymous.get(`/media/videos/${video.id}/..%2F..%2Fsession-secret`)).status).toBe(404);
    expect((await anonymous.get(view.posterUrl)).headers['content-type']).toBe('image/jpeg');
  });

  it('a file that is not a video is refused at upload with a clear error, and an admin sees it and cannot retry without a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'er-not-video-'));
    writeFileSync(join(dir, 'notes.txt'), 'these are not moving pictures');
    const response = await postMultipart(trainer, page(), page(), {}, { field: 'video', name: 'notes.mp4', data: readFileSync(join(dir, 'notes.txt')), type: 'video/mp4' });
    expect(response.status).toBe(400);
    expect(response.text).toContain('This file is not a video we can read');
    const failed = await videoRow();
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/not a video/);

    const admin = await signUp(t, 'admin@example.pk', 'admin');
    const list = await admin.get('/admin/videos');
    expect(list.status).toBe(200);
    expect(list.text).toContain('notes.mp4');
    const retry = await admin.submit('/admin/videos', `/admin/videos/${failed.id}/retry`, {});
    expect(retry.status).toBe(409);
    // Learners and trainers never reach the admin page.
    expect((await trainer.get('/admin/videos')).status).toBe(403);
  });

  it('the plain form (no JavaScript) uploads a whole video, and an admin retry transcodes a failed one again', async () => {
    const response = await postMultipart(trainer, page(), page(), {}, { field: 'video', name: 'again.mp4', data: testClip(), type: 'video/mp4' });
    expect(response.status).toBe(303);
    const uploaded = await videoRow();
    expect(uploaded.originalName).toBe('again.mp4');
    const done = await waitFor('the second transcode', async () => {
      const row = await t.app.get(DataSource).getRepository(Video).findOneBy({ id: uploaded.id });
      return row && (row.status === 'ready' || row.status === 'failed') ? row : null;
    }, 120_000, 250);
    expect(done.status).toBe('ready');
    // Pretend it had failed (ffmpeg killed): the admin queues it again and it is made anew under a new prefix.
    await t.app.get(VideosService).markFailed(done.id, 'ffmpeg was killed');
    const admin = new Browser(t.server);
    await admin.login('admin@example.pk');
    expect((await admin.submit('/admin/videos', `/admin/videos/${done.id}/retry`, {})).status).toBe(303);
    const again = await waitFor('the retried transcode', async () => {
      const row = await t.app.get(DataSource).getRepository(Video).findOneBy({ id: done.id });
      return row?.status === 'ready' ? row : null;
    }, 120_000, 250);
    expect(again.attempts).toBe(1);
    expect(again.outputPrefix).not.toBe(done.outputPrefix);
    // The new transcode's files replaced the old ones in the storage: nothing of the old prefix is left.
    const names = (await t.app.get<FileStorage>(FILE_STORAGE).list(`videos/${done.id}`)).map((key) => key.split('/').pop()!);
    expect(names.filter((name) => name.startsWith(`${done.outputPrefix}-`))).toEqual([]);
    expect(names.filter((name) => name.startsWith(`${again.outputPrefix}-`)).length).toBeGreaterThan(20);
    expect(names).toContain('original');
  });

  it('a content/ folder names a lesson video and its captions; importing it again does not transcode again', async () => {
    const root = mkdtempSync(join(tmpdir(), 'er-video-content-'));
    const folder = join(root, 'courses', 'video-course');
    mkdirSync(join(folder, 'videos'), { recursive: true });
    copyFileSync(testClipPath(), join(folder, 'videos', 'welcome.mp4'));
    writeFileSync(join(folder, 'videos', 'welcome.en.vtt'), EN_VTT);
    writeFileSync(join(folder, 'videos', 'welcome.ur.srt'), '1\n00:00:00,000 --> 00:00:04,000\nقیمت لگانے میں خوش آمدید\n');
    writeFileSync(join(folder, 'course.yaml'), 'title: Video course\nsummary: A course with a video lesson.\nlanguage: en\nlevel: beginner\nhours: 1\noutcomes:\n  - Watch a video\n');
    writeFileSync(join(folder, '01-welcome.md'), '---\ntitle: Welcome\nminutes: 5\nvideo: videos/welcome.mp4\ncaptions:\n  en: videos/welcome.en.vtt\n  ur: videos/welcome.ur.srt\n---\n\nWatch the welcome video.\n');
    const report = await t.app.get(ContentService).importAll(root);
    expect(JSON.stringify(report)).not.toMatch(/problem/i);
    const imported = await videoRow();
    expect(imported.originalName).toBe('welcome.mp4');
    await waitFor('the imported video', async () => (await t.app.get(DataSource).getRepository(Video).findOneBy({ id: imported.id, status: 'ready' })) ?? null, 120_000, 250);
    const course = await t.app.get(DataSource).getRepository(CourseModule).findOneByOrFail({ slug: 'welcome' });
    const view = (await t.app.get(VideosService).videosForCourse(course.courseId)).get(course.id)!;
    expect(view.videoId).toBe(imported.id);
    expect(view.captions.map((c) => c.lang)).toEqual(['en', 'ur']);
    expect(view.transcript.find((entry) => entry.lang === 'ur')!.cues).toEqual([{ start: 0, text: 'قیمت لگانے میں خوش آمدید' }]);

    // A changed lesson text, the same video file: no new video.
    writeFileSync(join(folder, '01-welcome.md'), '---\ntitle: Welcome\nminutes: 6\nvideo: videos/welcome.mp4\n---\n\nWatch the welcome video again.\n');
    await t.app.get(ContentService).importAll(root);
    expect((await videoRow()).id).toBe(imported.id);

    // A caption file that is not WebVTT is a content problem, named by file.
    writeFileSync(join(folder, 'videos', 'bad.vtt'), 'not captions');
    writeFileSync(join(folder, '01-welcome.md'), '---\ntitle: Welcome\nminutes: 6\nvideo: videos/welcome.mp4\ncaptions:\n  en: videos/bad.vtt\n---\n\nText.\n');
    const bad = await t.app.get(ContentService).importAll(root);
    expect(JSON.stringify(bad)).toContain('bad.vtt');
  });
});
