import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { Video } from '../src/videos/entities/video.entity';
import { addLesson, createCourse, emptyContentDir, postMultipart, publish, saveLesson, signUp } from './support/authoring';
import { waitFor } from './support/certificates';
import { startTestApp, TestApp } from './support/test-app';
import { ffprobe, phoneClipPath } from './support/video-clip';

jest.setTimeout(180_000);

/** Trainers film on phones held upright; the file says "landscape, turn 90°". */
describe('A portrait video recorded on a phone', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ CONTENT_DIR: emptyContentDir(), IMPORT_CONTENT_ON_START: 'false' });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('is made into portrait renditions whose short side is the step (240p is 240 wide), and a portrait poster', async () => {
    const trainer = await signUp(t, 'trainer@example.pk', 'trainer');
    const courseId = await createCourse(trainer);
    const lesson = await addLesson(trainer, courseId, 'Folding a towel for the carton');
    await saveLesson(trainer, courseId, lesson, { bodyMarkdown: 'Filmed on a phone.' });
    const page = `/author/videos/${courseId}/${lesson}`;
    const upload = await postMultipart(trainer, page, page, {}, { field: 'video', name: 'towel.mp4', data: readFileSync(phoneClipPath()), type: 'video/mp4' });
    expect(upload.status).toBe(303);
    const video = await waitFor('the transcode', async () => {
      const row = await t.app.get(DataSource).getRepository(Video).findOne({ where: {}, order: { id: 'DESC' } });
      if (row?.status === 'failed') throw new Error(`transcode failed: ${row.error}`);
      return row?.status === 'ready' ? row : null;
    }, 150_000, 250);
    // As shown: 360 wide, 640 tall. Steps above the short side (480p) are not made.
    expect({ width: video.width, height: video.height }).toEqual({ width: 360, height: 640 });
    expect(video.renditions!.map((r) => r.name)).toEqual(['144p', '240p', '360p', 'audio']);

    const dir = join(t.config.dataDir, 'files', 'videos', String(video.id));
    const shown = (file: string) => {
      const stream = ffprobe(join(dir, `${video.outputPrefix}-${file}`)).streams.find((s) => s.codec_type === 'video')!;
      return `${stream.width}x${stream.height}`;
    };
    expect(shown('144p.m3u8')).toBe('144x256');
    expect(shown('240p.m3u8')).toBe('240x426');
    expect(shown('360p.m3u8')).toBe('360x640');
    expect(shown('240p.mp4')).toBe('240x426');
    expect(shown('poster.jpg')).toBe('360x640');
    const master = readFileSync(join(dir, `${video.outputPrefix}-master.m3u8`), 'utf8');
    expect(master).toContain('RESOLUTION=144x256');
    expect(video.renditions!.find((r) => r.name === '240p')!.height).toBe(426);

    // The learner's lesson page frames it upright.
    expect((await publish(trainer, courseId)).status).toBe(303);
    const courseSlug = (await t.app.get(DataSource).query('SELECT slug FROM courses WHERE id = ?', [courseId]))[0].slug as string;
    const learner = await signUp(t, 'learner@example.pk');
    await learner.submit(`/courses/${courseSlug}`, `/courses/${courseSlug}/enrol`, {});
    const lessonPage = await learner.get(`/courses/${courseSlug}/modules/${lesson}`);
    expect(lessonPage.text).toContain('<div class="video-frame portrait" data-frame>');
    expect(lessonPage.text).toMatch(/<img class="video-poster" [^>]*width="360" height="640">/);
  });
});
