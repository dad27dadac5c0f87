import { copyFileSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DataSource } from 'typeorm';
import { Clock } from '../src/common/clock';
import { CourseModule } from '../src/courses/course-module.entity';
import { FILE_STORAGE, FileStorage } from '../src/storage/file-storage';
import { Video } from '../src/videos/entities/video.entity';
import { VideosService } from '../src/videos/videos.service';
import { addLesson, createCourse, emptyContentDir, publish, saveLesson, signUp } from './support/authoring';
import { waitFor } from './support/certificates';
import { Browser, csrfFrom, startTestApp, TestApp } from './support/test-app';
import { testClipPath } from './support/video-clip';

jest.setTimeout(180_000);

/** A learner watching a lesson's video: the page before play, watch reports, completion by watching. */
describe('Watching a lesson video', () => {
  let t: TestApp;
  let courseSlug: string;
  let lessonSlug: string;

  beforeAll(async () => {
    t = await startTestApp({ CONTENT_DIR: emptyContentDir(), IMPORT_CONTENT_ON_START: 'false' });
    const trainer = await signUp(t, 'trainer@example.pk', 'trainer');
    const courseId = await createCourse(trainer);
    lessonSlug = await addLesson(trainer, courseId, 'Pricing in euros');
    await saveLesson(trainer, courseId, lessonSlug, { bodyMarkdown: 'Watch how a CIF price in euros is built.' });
    // The real pipeline: the 10-second test clip uploaded, transcoded by the worker, 80% required.
    const file = join(mkdtempSync(join(tmpdir(), 'watch-')), 'clip.mp4');
    copyFileSync(testClipPath(), file);
    const trainerId = (await t.app.get(DataSource).query('SELECT id FROM users WHERE email = ?', ['trainer@example.pk']))[0].id as number;
    const videos = t.app.get(VideosService);
    const uploaded = await videos.uploadWhole(trainerId, courseId, lessonSlug, { path: file, size: statSync(file).size, filename: 'clip.mp4' });
    await waitFor('the transcode', async () => (await t.app.get(DataSource).getRepository(Video).findOneBy({ id: uploaded.id, status: 'ready' })) ?? null, 150_000, 500);
    await videos.saveSetting(courseId, lessonSlug, '80');
    expect((await publish(trainer, courseId)).status).toBe(303);
    const lesson = await t.app.get(DataSource).getRepository(CourseModule).findOneByOrFail({ courseId, slug: lessonSlug });
    courseSlug = (await t.app.get(DataSource).query('SELECT slug FROM courses WHERE id = ?', [lesson.courseId]))[0].slug as string;
  });

  afterAll(async () => {
    await t?.close();
  });

  async function enrolledLearner(email: string): Promise<Browser> {
    const learner = await signUp(t, email);
    await learner.submit(`/courses/${courseSlug}`, `/courses/${courseSlug}/enrol`, {});
    return learner;
  }

  const lessonPath = () => `/courses/${courseSlug}/modules/${lessonSlug}`;

  async function report(learner: Browser, token: string, ranges: { from: number; to: number }[]) {
    return learner.agent.post(`/courses/${courseSlug}/lessons/${lessonSlug}/watch`).set('x-csrf-token', token).set('accept', 'application/json').send({ ranges });
  }

  it('the lesson page shows poster, sizes and download links, loads no player library or playlist, and weighs at most 20 KB compressed', async () => {
    const learner = await enrolledLearner('page@example.pk');
    const page = await learner.get(lessonPath());
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<img class="video-poster" src="\/media\/videos\/\d+\/[^"]+" alt="" loading="lazy"/);
    expect(page.text).toMatch(/<a href="\/media\/videos\/\d+\/[^"]+\.mp4" download>/);
    expect(page.text).toMatch(/<a href="\/media\/videos\/\d+\/[^"]+\.m4a" download>/);
    expect(page.text).toMatch(/144p: about [\d.]+ MB/);
    expect(page.text).toMatch(/Audio only: about [\d.]+ MB/);
    expect(page.text).not.toMatch(/<script[^>]+hls/);
    expect(page.text).not.toMatch(/<(video|source|track)\b/);
    const scripts = [...page.text.matchAll(/<(?:script|link)[^>]+(?:src|href)="(\/static\/[^"]+)"/g)].map((m) => m[1]);
    let bytes = gzipSync(page.text).length;
    for (const url of scripts) bytes += gzipSync((await learner.get(url)).text).length;
    // The poster is part of what the page costs before play (it is a JPEG: sent as it is, not gzipped).
    const poster = /<img class="video-poster" src="([^"]+)"/.exec(page.text)![1];
    const posterResponse = await learner.agent.get(poster).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
    const posterBytes = (posterResponse.body as Buffer).length;
    expect(posterBytes).toBeGreaterThan(1000);
    expect(bytes + posterBytes).toBeLessThanOrEqual(20 * 1024);
    console.log(`lesson page before play: ${bytes + posterBytes} bytes (document + ${scripts.length} scripts/styles compressed ${bytes}, poster ${posterBytes})`);
  });

  it('offers to save the 144p rendition for offline, with its size measured at transcode and the configured budget', async () => {
    const learner = await enrolledLearner('offline@example.pk');
    const page = await learner.get(lessonPath());
    const box = /<div class="video-offline" data-offline data-playlist="(\/media\/videos\/(\d+)\/[0-9a-f]{16}-144p\.m3u8)" data-rendition="144p"\s+data-bytes="(\d+)" data-budget="(\d+)" hidden>/.exec(page.text);
    expect(box).not.toBeNull();
    const [, playlist, videoId, bytes, budget] = box!;
    const storage = t.app.get<FileStorage>(FILE_STORAGE);
    const prefix = playlist.split('/').pop()!.replace('.m3u8', '');
    let stored = 0;
    for (const key of await storage.list(`videos/${videoId}`)) {
      const name = key.split('/').pop()!;
      if (name.startsWith(`${prefix}-`) && /-(init\.mp4|\d+\.m4s)$/.test(name)) stored += (await storage.size(key))!;
    }
    expect(stored).toBeGreaterThan(0);
    expect(Number(bytes)).toBe(stored);
    expect(Number(budget)).toBe(50 * 1024 * 1024);
    expect(page.text).toMatch(/<button type="button" data-offline-save>Save for watching offline \(144p, about [\d.]+ MB\)<\/button>/);
  });

  it('refuses "mark complete" before the required share was watched, and seeking to the end does not complete the lesson', async () => {
    const learner = await enrolledLearner('skipper@example.pk');
    const page = await learner.get(lessonPath());
    const token = csrfFrom(page.text);
    const refused = await learner.agent.post(`${lessonPath()}/complete`).type('form').send({ _csrf: token });
    expect(refused.status).toBe(303);
    expect(refused.headers.location).toContain('not_ready=video_player.watch_more');
    expect((await learner.get(refused.headers.location as string)).text).toContain('Watch more of the video before marking this lesson complete.');

    expect((await report(learner, token, [])).body).toMatchObject({ watchedPercent: 0, requiredPercent: 80, lessonComplete: false });
    t.app.get(Clock).advance(2_000);
    // The player played the first second, then the learner dragged to the end and watched the last one.
    const skipped = await report(learner, token, [{ from: 0, to: 1 }, { from: 9, to: 10 }]);
    expect(skipped.status).toBe(200);
    expect(skipped.body).toMatchObject({ watchedPercent: 20, lessonComplete: false, completedNow: false });
    expect((await learner.get(lessonPath())).text).not.toContain('notice success');
  });

  it('watching to the threshold marks the lesson complete', async () => {
    const learner = await enrolledLearner('watcher@example.pk');
    const token = csrfFrom((await learner.get(lessonPath())).text);
    await report(learner, token, []);
    t.app.get(Clock).advance(4_000);
    expect((await report(learner, token, [{ from: 0, to: 4 }])).body).toMatchObject({ watchedPercent: 40, lessonComplete: false });
    t.app.get(Clock).advance(4_000);
    const done = await report(learner, token, [{ from: 4, to: 8.2 }]);
    expect(done.body).toMatchObject({ watchedPercent: 82, lessonComplete: true, completedNow: true });
    expect((await learner.get(lessonPath())).text).toContain('notice success');
  });

  it('a learner who turns data saver on in /account gets the video starting as audio only', async () => {
    const learner = await enrolledLearner('saver@example.pk');
    expect((await learner.get(lessonPath())).text).toContain('data-start="auto"');
    const saved = await learner.submit('/account', '/account', { name: 'Saver', certificateName: '', locale: 'en', dataSaver: 'on' });
    expect(saved.status).toBe(303);
    expect((await learner.get('/account')).text).toMatch(/name="dataSaver" type="checkbox" checked/);
    const page = await learner.get(lessonPath());
    expect(page.text).toContain('data-start="audio"');
    expect(page.text).toMatch(/<option value="audio" data-url="[^"]+" selected>/);
    await learner.submit('/account', '/account', { name: 'Saver', certificateName: '', locale: 'en' });
    expect((await learner.get(lessonPath())).text).toContain('data-start="auto"');
  });

  it('refuses reports that are not ranges, without the CSRF token, or from a learner not enrolled', async () => {
    const learner = await enrolledLearner('broken@example.pk');
    const token = csrfFrom((await learner.get(lessonPath())).text);
    const bad = await learner.agent.post(`/courses/${courseSlug}/lessons/${lessonSlug}/watch`).set('x-csrf-token', token).set('accept', 'application/json').send({ ranges: 'all' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('The watch report was not understood.');
    expect((await learner.agent.post(`/courses/${courseSlug}/lessons/${lessonSlug}/watch`).set('accept', 'application/json').send({ ranges: [] })).status).toBe(403);
    const stranger = await signUp(t, 'stranger@example.pk');
    const strangerToken = csrfFrom((await stranger.get('/account')).text);
    expect((await report(stranger, strangerToken, [{ from: 0, to: 5 }])).status).toBe(403);
  });

  it("shows the course's authors how learners watch: who started, who reached the required share, and each tenth's share", async () => {
    // One more learner, who watches the first half. With the skipper (0–1 s and 9–10 s: 20 %) and the
    // watcher (0–8.2 s: 82 %) above, three learners have watched this video.
    const half = await enrolledLearner('half@example.pk');
    const token = csrfFrom((await half.get(lessonPath())).text);
    await report(half, token, []);
    t.app.get(Clock).advance(5_000);
    expect((await report(half, token, [{ from: 0, to: 5 }])).body).toMatchObject({ watchedPercent: 50 });

    const courseId = (await t.app.get(DataSource).query('SELECT id FROM courses WHERE slug = ?', [courseSlug]))[0].id as number;
    const statsPath = `/author/videos/${courseId}/${lessonSlug}/watching`;
    expect((await half.get(statsPath)).status).toBe(403);
    const otherTrainer = await signUp(t, 'other.trainer@example.pk', 'trainer');
    expect((await otherTrainer.get(statsPath)).status).toBe(403);

    const trainer = new Browser(t.server);
    await trainer.login('trainer@example.pk');
    expect((await trainer.get(`/author/videos/${courseId}/${lessonSlug}`)).text).toContain(`href="${statsPath}"`);
    const page = await trainer.get(statsPath);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Started the video: 3');
    expect(page.text).toContain('Watched the required 80%: 1 (33% of them)');
    expect(page.text).toContain('Share watched, on average: 51%');
    const shares = [...page.text.matchAll(/<meter min="0" max="100" value="(\d+)"/g)].map((m) => Number(m[1]));
    expect(shares).toEqual([100, 67, 67, 67, 67, 33, 33, 33, 0, 33]);
    expect(page.text).toMatch(/<th scope="row" dir="ltr">0:00–0:01<\/th>/);
  });
});
