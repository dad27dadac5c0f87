import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { FILE_STORAGE, FileStorage } from '../src/storage/file-storage';
import { Video } from '../src/videos/entities/video.entity';
import { videoSpoolDir } from '../src/videos/video-files';
import { VideosService } from '../src/videos/videos.service';
import { addLesson, createCourse, emptyContentDir, postMultipart, publish, saveLesson, signUp } from './support/authoring';
import { waitFor } from './support/certificates';
import { Browser, csrfFrom, startTestApp, TestApp } from './support/test-app';
import { testClip } from './support/video-clip';

jest.setTimeout(180_000);

/**
 * Videos live in the file storage (FILE_STORAGE, keys videos/<id>/…) and are streamed from it;
 * only uploads in progress and ffmpeg's work stay in the local spool. Here the original is not
 * kept (VIDEO_KEEP_ORIGINAL=false).
 */
describe('Video files in the file storage', () => {
  let t: TestApp;
  let storage: FileStorage;
  let video: Video;
  let admin: Browser;
  let trainer: Browser;
  let courseId: number;
  let page: string;

  beforeAll(async () => {
    t = await startTestApp({ CONTENT_DIR: emptyContentDir(), IMPORT_CONTENT_ON_START: 'false', VIDEO_KEEP_ORIGINAL: 'false' });
    storage = t.app.get<FileStorage>(FILE_STORAGE);
    trainer = await signUp(t, 'trainer@example.pk', 'trainer');
    admin = await signUp(t, 'admin@example.pk', 'admin');
    courseId = await createCourse(trainer);
    const lesson = await addLesson(trainer, courseId, 'Packing a carton');
    await saveLesson(trainer, courseId, lesson, { bodyMarkdown: 'Watch a carton being packed.' });
    page = `/author/videos/${courseId}/${lesson}`;
    expect((await postMultipart(trainer, page, page, {}, { field: 'video', name: 'carton.mp4', data: testClip(), type: 'video/mp4' })).status).toBe(303);
    video = await waitFor('the transcode', async () => {
      const row = await t.app.get(DataSource).getRepository(Video).findOne({ where: {}, order: { id: 'DESC' } });
      if (row?.status === 'failed') throw new Error(`transcode failed: ${row.error}`);
      return row?.status === 'ready' ? row : null;
    }, 150_000, 250);
  });

  afterAll(async () => {
    await t?.close();
  });

  const url = (name: string) => `/media/videos/${video.id}/${video.outputPrefix}-${name}`;

  it('keeps every served file in the storage, drops the original once transcoded, and leaves the spool empty', async () => {
    // The original goes right after the video is marked ready (a crash in between keeps it, which is harmless).
    await waitFor('the original to be deleted', async () => ((await storage.exists(`videos/${video.id}/original`)) ? null : true));
    const names = (await storage.list(`videos/${video.id}`)).map((key) => key.split('/').pop()!);
    expect(names).not.toContain('original');
    for (const name of ['master.m3u8', '144p.m3u8', '144p-init.mp4', '144p-000.m4s', '480p-002.m4s', 'audio.m3u8', 'poster.jpg', '240p.mp4', 'audio.m4a']) {
      expect(names).toContain(`${video.outputPrefix}-${name}`);
    }
    expect(readdirSync(videoSpoolDir(t.config.dataDir)).filter((name) => name !== 'incoming')).toEqual([]);
    expect(readdirSync(`${videoSpoolDir(t.config.dataDir)}/incoming`)).toEqual([]);
    // Without its original a failed video cannot be retried: the trainer uploads again.
    await t.app.get(VideosService).markFailed(video.id, 'ffmpeg was killed');
    const retry = await admin.submit('/admin/videos', `/admin/videos/${video.id}/retry`, {});
    expect(retry.status).toBe(409);
    await t.app.get(DataSource).getRepository(Video).update({ id: video.id }, { status: 'ready', error: null });
  });

  it('streams a file whole, by range, by HEAD and as 304, byte for byte what the storage holds', async () => {
    const anonymous = new Browser(t.server);
    const key = `videos/${video.id}/${video.outputPrefix}-240p.mp4`;
    const stored = (await storage.get(key))!;
    const size = stored.length;
    expect(size).toBeGreaterThan(10_000);

    const whole = await anonymous.get(url('240p.mp4')).buffer(true);
    expect(whole.status).toBe(200);
    expect(whole.headers['content-length']).toBe(String(size));
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(whole.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(Buffer.compare(whole.body as Buffer, stored)).toBe(0);

    const middle = await anonymous.get(url('240p.mp4')).set('Range', 'bytes=100-199').buffer(true);
    expect(middle.status).toBe(206);
    expect(middle.headers['content-range']).toBe(`bytes 100-199/${size}`);
    expect(Buffer.compare(middle.body as Buffer, stored.subarray(100, 200))).toBe(0);

    const tail = await anonymous.get(url('240p.mp4')).set('Range', 'bytes=-50').buffer(true);
    expect(tail.status).toBe(206);
    expect(tail.headers['content-range']).toBe(`bytes ${size - 50}-${size - 1}/${size}`);
    expect(Buffer.compare(tail.body as Buffer, stored.subarray(size - 50))).toBe(0);

    const rest = await anonymous.get(url('240p.mp4')).set('Range', `bytes=${size - 10}-`).buffer(true);
    expect(rest.status).toBe(206);
    expect((rest.body as Buffer).length).toBe(10);

    const past = await anonymous.get(url('240p.mp4')).set('Range', `bytes=${size + 5}-`);
    expect(past.status).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${size}`);

    const head = await anonymous.agent.head(url('240p.mp4'));
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(size));

    const again = await anonymous.get(url('240p.mp4')).set('If-None-Match', whole.headers['etag']);
    expect(again.status).toBe(304);
    // A range asked "if still this version" of another version gets the whole file.
    const stale = await anonymous.get(url('240p.mp4')).set('Range', 'bytes=0-9').set('If-Range', '"0"');
    expect(stale.status).toBe(200);

    // Names outside the transcode's pattern, and files that are not there, are 404.
    expect((await anonymous.get(`/media/videos/${video.id}/original`)).status).toBe(404);
    expect((await anonymous.get(`/media/videos/${video.id}/${'0'.repeat(16)}-240p.mp4`)).status).toBe(404);
    expect((await anonymous.get(`/media/videos/${video.id + 1}/${video.outputPrefix}-240p.mp4`)).status).toBe(404);
  });

  it('a trainer removes a caption track and the video; the sweep deletes the files only once no lesson, draft or published, has used it for VIDEO_UNUSED_DAYS', async () => {
    const vtt = (text: string) => Buffer.from(`WEBVTT\n\n00:00.000 --> 00:04.000\n${text}\n`);
    for (const lang of ['en', 'ur']) {
      expect((await postMultipart(trainer, page, `${page}/captions`, { lang }, { field: 'captions', name: `${lang}.vtt`, data: vtt(`words in ${lang}`), type: 'text/vtt' })).status).toBe(303);
    }
    const captionKeys = async () => (await storage.list(`videos/${video.id}`)).filter((key) => key.includes('/captions-'));
    expect(await captionKeys()).toHaveLength(2);
    // Uploading a language again replaces its file.
    expect((await postMultipart(trainer, page, `${page}/captions`, { lang: 'en' }, { field: 'captions', name: 'en.vtt', data: vtt('better words'), type: 'text/vtt' })).status).toBe(303);
    expect(await captionKeys()).toHaveLength(2);

    const removed = await trainer.submit(page, `${page}/captions/ur/remove`, {});
    expect(removed.status).toBe(303);
    const after = await trainer.get(removed.headers.location);
    expect(after.text).toContain('Captions removed.');
    expect(after.text).not.toContain('Remove the Urdu captions');
    expect(after.text).toContain('Remove the English captions');
    expect((await captionKeys()).map((key) => key.split('/').pop()!.slice(0, 12))).toEqual(['captions-en-']);
    expect((await trainer.submit(page, `${page}/captions/ur/remove`, {})).status).toBe(404);
    // Without the CSRF token nothing is removed.
    expect((await trainer.agent.post(`${page}/captions/en/remove`).type('form').send({})).status).toBe(403);
    expect(await captionKeys()).toHaveLength(1);

    // Published, then taken off the draft: learners keep it, and so does the sweep.
    expect((await publish(trainer, courseId)).status).toBe(303);
    const gone = await trainer.submit(page, `${page}/remove`, {});
    expect(gone.status).toBe(303);
    expect((await trainer.get(gone.headers.location)).text).toContain('Learners still see the previously published video until you publish the course.');
    const service = t.app.get(VideosService);
    expect((await service.videosForCourse(courseId)).size).toBe(1);
    const day = 24 * 3600_000;
    const t0 = Date.now();
    expect(await service.sweep(new Date(t0 + 30 * day))).toEqual({ abandoned: 0, released: 0, deleted: 0, leftovers: 0 });

    // Published again without it: unused from the next sweep on, deleted 7 days (VIDEO_UNUSED_DAYS) later.
    expect((await publish(trainer, courseId)).status).toBe(303);
    await waitFor('the lesson page to lose the video', async () => ((await service.videosForCourse(courseId)).size === 0 ? true : null));
    expect(await service.sweep(new Date(t0 + 1 * day))).toEqual({ abandoned: 0, released: 1, deleted: 0, leftovers: 0 });
    expect(await service.sweep(new Date(t0 + 7 * day))).toEqual({ abandoned: 0, released: 0, deleted: 0, leftovers: 0 });
    expect((await storage.list(`videos/${video.id}`)).length).toBeGreaterThan(20);
    expect(await service.sweep(new Date(t0 + 8 * day))).toEqual({ abandoned: 0, released: 0, deleted: 1, leftovers: 0 });
    expect(await storage.list(`videos/${video.id}`)).toEqual([]);
    expect((await new Browser(t.server).get(url('poster.jpg'))).status).toBe(404);
    const row = await t.app.get(DataSource).getRepository(Video).findOneByOrFail({ id: video.id });
    expect(row.filesDeletedAt).not.toBeNull();
    expect(await service.sweep(new Date(t0 + 9 * day))).toEqual({ abandoned: 0, released: 0, deleted: 0, leftovers: 0 });
  });

  it('an upload nobody finishes within a day fails with its reason and leaves nothing in the spool', async () => {
    const clip = testClip();
    const form = await trainer.get(page);
    const token = /name="_csrf" value="([^"]+)"/.exec(form.text)![1];
    const start = await trainer.agent.post(`${page}/uploads`).set('x-csrf-token', token).send({ name: 'half.mp4', size: clip.length });
    const { uploadUrl, videoId } = start.body as { uploadUrl: string; videoId: number };
    expect((await trainer.agent.put(`${uploadUrl}?offset=0`).set('x-csrf-token', token).set('content-type', 'application/octet-stream').send(clip.subarray(0, 1000))).status).toBe(200);
    const spoolFile = `${videoSpoolDir(t.config.dataDir)}/${videoId}.upload`;
    expect(existsSync(spoolFile)).toBe(true);
    const service = t.app.get(VideosService);
    expect((await service.sweep(new Date(Date.now() + 3600_000))).abandoned).toBe(0);
    expect((await service.sweep(new Date(Date.now() + 25 * 3600_000))).abandoned).toBe(1);
    expect(existsSync(spoolFile)).toBe(false);
    const shown = await trainer.get(page);
    expect(shown.text).toContain('the upload was not finished within 24 hours');
    expect((await trainer.agent.put(`${uploadUrl}?offset=1000`).set('x-csrf-token', token).set('content-type', 'application/octet-stream').send(clip.subarray(1000, 2000))).status).toBe(409);
  });

  it('a chunk sent again while its first try is still arriving cannot interleave: the upload ends byte for byte the file', async () => {
    const clip = testClip();
    const chunk = clip.subarray(0, 300_000);
    const uploader = new Browser(t.server);
    const signedIn = await uploader.login('admin@example.pk');
    const cookie = /er\.sid=[^;]+/.exec(String(signedIn.headers['set-cookie']))![0];
    const token = csrfFrom((await uploader.get(page)).text);
    const start = await uploader.agent.post(`${page}/uploads`).set('x-csrf-token', token).send({ name: 'slow-line.mp4', size: clip.length });
    const { uploadUrl, videoId } = start.body as { uploadUrl: string; videoId: number };
    if (!t.server.listening) await new Promise<void>((resolve) => t.server.listen(0, '127.0.0.1', resolve));
    const { port } = t.server.address() as AddressInfo;

    // First try: the headers and half the chunk arrive, then the line stalls.
    const first = httpRequest({ host: '127.0.0.1', port, method: 'PUT', path: `${uploadUrl}?offset=0`, headers: { cookie, accept: 'application/json', 'x-csrf-token': token, 'content-type': 'application/octet-stream', 'content-length': chunk.length } });
    const answerToFirst = new Promise<{ status: number; body: string }>((resolve, reject) => {
      first.on('response', (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (text: string) => (body += text)).on('end', () => resolve({ status: response.statusCode!, body }));
      });
      first.on('error', reject);
    });
    first.write(chunk.subarray(0, 150_000));
    // (In a part file of its own; the upload itself grows only by whole chunks.)
    const spoolNames = () => readdirSync(videoSpoolDir(t.config.dataDir)).filter((name) => name.startsWith(`${videoId}.`));
    await waitFor('the first half to reach the server', async () => (spoolNames().some((name) => name.endsWith('.part')) || existsSync(`${videoSpoolDir(t.config.dataDir)}/${videoId}.upload`) ? true : null));

    // The client timed out, asked where to resume and sent the chunk again: it is taken whole.
    const asked = await uploader.agent.get(uploadUrl);
    expect(asked.body.received).toBe(0);
    const second = await uploader.agent.put(`${uploadUrl}?offset=0`).set('x-csrf-token', token).set('content-type', 'application/octet-stream').send(chunk);
    expect(second.status).toBe(200);
    expect(second.body.received).toBe(chunk.length);

    // The first try's bytes arrive after all: refused with where to resume, nothing appended twice.
    first.end(chunk.subarray(150_000));
    const late = await answerToFirst;
    expect(late.status).toBe(409);
    expect(JSON.parse(late.body)).toMatchObject({ received: chunk.length, message: `The upload continues from byte ${chunk.length.toLocaleString('en-GB')}.` });

    const rest = await uploader.agent.put(`${uploadUrl}?offset=${chunk.length}`).set('x-csrf-token', token).set('content-type', 'application/octet-stream').send(clip.subarray(chunk.length));
    expect(rest.status).toBe(200);
    expect(rest.body.received).toBe(clip.length);
    const stored = await storage.get(`videos/${videoId}/original`);
    expect(createHash('sha256').update(stored!).digest('hex')).toBe(createHash('sha256').update(clip).digest('hex'));
    expect(spoolNames()).toEqual([]);
  });

  it("clears what killed processes leave in the spool (ffmpeg work folders after a day, part and lock files after an hour), and nothing younger", async () => {
    const spool = videoSpoolDir(t.config.dataDir);
    const made = (name: string, hoursAgo: number, folder = false) => {
      const path = join(spool, name);
      if (folder) {
        mkdirSync(path, { recursive: true });
        writeFileSync(join(path, '0123456789abcdef-144p-000.m4s'), 'half a segment');
      } else writeFileSync(path, 'left over');
      const when = new Date(Date.now() - hoursAgo * 3600_000);
      utimesSync(path, when, when);
      return path;
    };
    const oldWork = made('work-99-0123456789abcdef', 25, true);
    const freshWork = made('work-98-0123456789abcdef', 2, true);
    const oldPart = made('99.a1b2c3d4e5f6.part', 2);
    const freshPart = made('98.a1b2c3d4e5f6.part', 0.2);
    const oldLock = made('99.lock', 2);
    const oldIncoming = made('incoming/0123456789abcdef01234567', 2);
    const upload = made('97.upload', 30);
    const { leftovers } = await t.app.get(VideosService).sweep();
    expect(leftovers).toBe(4);
    for (const gone of [oldWork, oldPart, oldLock, oldIncoming]) expect(existsSync(gone)).toBe(false);
    for (const kept of [freshWork, freshPart, upload]) expect(existsSync(kept)).toBe(true);
  });
});
